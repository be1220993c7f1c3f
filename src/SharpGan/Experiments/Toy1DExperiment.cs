using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors.Kernels;
using SharpGan.Tensors;

namespace SharpGan.Experiments;

/// <summary>Settings of the 1-D experiment (Figure 1).</summary>
public sealed record Toy1DOptions
{
    /// <summary>p_data = N(mean, std²).</summary>
    public double DataMean { get; init; } = 1.0;

    /// <summary>p_data's standard deviation (must be positive).</summary>
    public double DataStd { get; init; } = 0.5;

    /// <summary>Hidden width: G's tanh units and each of D's two hidden layers.</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>D steps per G step.</summary>
    public int K { get; init; } = 3;

    /// <summary>Adam learning rate of both players.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>
    /// Learning rate at the last step: the rate falls linearly from <see cref="LearningRate"/> to this, so the
    /// players' oscillation around the equilibrium shrinks instead of persisting at a fixed step size.
    /// </summary>
    public float FinalLearningRate { get; init; } = 1e-5f;

    /// <summary>
    /// G's learning rate as a fraction of D's. Below 1, D stays close to its optimum for the current G (the
    /// premise of the paper's analysis), and the game settles instead of circling (two time-scale updates).
    /// </summary>
    public float GeneratorLearningRateRatio { get; init; } = 0.25f;

    /// <summary>Iterations of Algorithm 1.</summary>
    public int Steps { get; init; } = 6000;

    /// <summary>Seed of every random stream.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>x bins of the density grid, over mean ± 6 std.</summary>
    public int Bins { get; init; } = 600;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(DataStd > 0) || !double.IsFinite(DataStd)) throw new ArgumentOutOfRangeException(nameof(DataStd), DataStd, "the data's standard deviation σ must be positive");
        if (!double.IsFinite(DataMean)) throw new ArgumentOutOfRangeException(nameof(DataMean), DataMean, "the data mean must be finite");
        if (Hidden <= 0) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "hidden width must be positive");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be positive");
        if (K <= 0) throw new ArgumentOutOfRangeException(nameof(K), K, "k must be positive");
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be positive");
        if (!(FinalLearningRate > 0 && FinalLearningRate <= LearningRate)) throw new ArgumentOutOfRangeException(nameof(FinalLearningRate), FinalLearningRate, "final learning rate must be positive and at most the initial one");
        if (!(GeneratorLearningRateRatio > 0 && GeneratorLearningRateRatio <= 10)) throw new ArgumentOutOfRangeException(nameof(GeneratorLearningRateRatio), GeneratorLearningRateRatio, "G's learning-rate ratio must be in (0, 10]");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (Bins < 50) throw new ArgumentOutOfRangeException(nameof(Bins), Bins, "use at least 50 bins");
    }
}

/// <summary>What the 1-D game looks like at one moment, computed on the grid (not estimated from a batch).</summary>
public sealed record Toy1DSnapshot(
    string Label, double[] X, double[] PData, double[] PG, double[] D, double[] DOptimal,
    double Jsd, double ValueAtOptimum, double ValueAtTrainedD, double MaxAbsDMinusHalf, double MaxAbsDMinusOptimal,
    (double Z, double X)[] Mapping)
{
    /// <summary>−log 4, the game's value at the global optimum.</summary>
    public static double NegLog4 => -Math.Log(4);
}

/// <summary>
/// PAPER §2 / Figure 1: 1-D data N(μ, σ²), z ~ U(0, 1), small MLPs G and D trained by Algorithm 1. Snapshots
/// measure p_g (change of variables on a z grid), D on the x grid, D*, JSD and the value function exactly.
/// </summary>
public sealed class Toy1DExperiment
{
    private const int ZGrid = 200_000;
    private readonly Toy1DOptions _o;
    private readonly Module _g, _d;
    private readonly Optimizer _optG, _optD;
    private readonly AdversarialStep _step;
    private readonly Rng _dataRng;
    private readonly Tensor _real;

    /// <summary>Iterations of Algorithm 1 done so far.</summary>
    public int StepsDone { get; private set; }

    /// <summary>Builds G (<see cref="Toy1DGenerator"/>) and D (1 → h → h → logit, LeakyReLU).</summary>
    public Toy1DExperiment(Toy1DOptions options, Module? frozenGenerator = null)
    {
        options.Validate();
        _o = options;
        var random = new RandomStreams(options.Seed);
        var init = random[RandomStream.Init];
        _d = new Sequential(new Linear(1, options.Hidden, Activation.LeakyReLU), new Linear(options.Hidden, options.Hidden, Activation.LeakyReLU), new Linear(options.Hidden, 1));
        foreach (var (name, p) in _d.NamedParameters())
            if (name.EndsWith("weight")) Init.XavierUniform(p, init); else Init.Constant(p, 0f);
        if (frozenGenerator is null)
        {
            // p_g starts two data σ to the left and at 0.6σ wide: Figure 1's "off target" start.
            var g = new Toy1DGenerator(options.Hidden);
            g.Initialize(options.DataMean - 2 * options.DataStd, 0.6 * options.DataStd, init);
            _g = g;
        }
        else _g = frozenGenerator;
        // A frozen generator has no parameters to optimise: give its optimiser a dummy one.
        var gParams = _g.NamedParameters().Any() ? _g.NamedParameters() : [("unused", new Tensor(1) { RequiresGrad = true })];
        // D's rate falls linearly over the game's iterations (k updates each); G's is a fixed fraction of D's.
        var rate = new LinearRamp(options.LearningRate, options.FinalLearningRate, 0, options.Steps);
        _optG = new Adam(gParams, rate.Times(options.GeneratorLearningRateRatio), 0.5f, 0.999f);
        _optD = new Adam(_d.NamedParameters(), rate.InUnits(1, options.K), 0.5f, 0.999f);
        _dataRng = random[RandomStream.Data];
        _real = new Tensor(options.BatchSize, 1);
        _step = new AdversarialStep(_g, _d, _optG, _optD, options.BatchSize, 1, random[RandomStream.Noise],
            options.K, GeneratorLoss.NonSaturating, NoisePrior.UniformUnit);
    }

    private Tensor NextReal()
    {
        for (int i = 0; i < _real.Length; i++) _real.Data[i] = (float)(_o.DataMean + _o.DataStd * _dataRng.NextGaussian());
        return _real;
    }

    /// <summary>Runs iterations of Algorithm 1; <paramref name="onStep"/> sees each step's statistics.</summary>
    public void Train(int steps, Action<int, StepStats>? onStep = null)
    {
        for (int i = 0; i < steps; i++)
        {
            var stats = _step.Run(NextReal);
            StepsDone++;
            onStep?.Invoke(StepsDone, stats);
        }
    }

    /// <summary>
    /// Trains D alone (G fixed) for <paramref name="steps"/> steps: D → D*. With <paramref name="finalLearningRate"/>,
    /// D's rate falls linearly to it over these steps, so D settles at the optimum instead of jittering around it.
    /// </summary>
    public void TrainDiscriminatorOnly(int steps, float? finalLearningRate = null) =>
        OffTheGameClock(_optD, steps, finalLearningRate, () => _step.DiscriminatorStep(NextReal()));

    /// <summary>Trains G alone against the current D for <paramref name="steps"/> steps (Figure 1c).</summary>
    public void TrainGeneratorOnly(int steps) =>
        OffTheGameClock(_optG, steps, null, () => _step.GeneratorStep(_step.NextNoise()));

    /// <summary>
    /// Makes <paramref name="updates"/> updates of one player outside the game's iterations: at the rate of its last
    /// update, or falling linearly from it to <paramref name="finalRate"/>; afterwards the game's schedule resumes where
    /// it stood, as these updates were no iterations.
    /// </summary>
    private static void OffTheGameClock(Optimizer optimizer, int updates, float? finalRate, Action update)
    {
        var game = optimizer.LearningRateSchedule;
        long from = optimizer.StepCount;
        float last = (float)game.At(Math.Max(0, from - 1));
        optimizer.LearningRateSchedule = finalRate is { } end ? new LinearRamp(last, end, from, from + updates) : Schedule.Constant(last);
        for (int i = 0; i < updates; i++) update();
        optimizer.LearningRateSchedule = game.Delayed(updates);
    }

    /// <summary>
    /// Measures the game now, on the x grid (mean ± 6σ); p_g from G on <paramref name="zGrid"/> evenly spaced z (fewer
    /// is faster and coarser: the lab's animation takes 20 000).
    /// </summary>
    public Toy1DSnapshot Snapshot(string label, int zGrid = ZGrid)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(zGrid, 1000);
        int bins = _o.Bins;
        double xMin = _o.DataMean - 6 * _o.DataStd, xMax = _o.DataMean + 6 * _o.DataStd, dx = (xMax - xMin) / bins;
        var x = Enumerable.Range(0, bins).Select(i => xMin + (i + 0.5) * dx).ToArray();
        var pData = x.Select(v => Toy1D.NormalPdf(v, _o.DataMean, _o.DataStd)).ToArray();
        var z = new Tensor(zGrid, 1);
        for (int i = 0; i < zGrid; i++) z.Data[i] = (i + 0.5f) / zGrid;
        var gz = _g.Forward(z);
        var pG = Toy1D.GeneratorDensity(gz.Data, xMin, xMax, bins);
        var xs = Tensor.FromArray(x.Select(v => (float)v).ToArray(), bins, 1);
        _d.Eval();
        var logits = _d.Forward(xs);
        _d.Train();
        var d = logits.Data.Select(l => 1.0 / (1.0 + Math.Exp(-l))).ToArray();
        var dStar = Toy1D.OptimalDiscriminator(pData, pG);
        var (lo, hi) = Toy1D.CentralRegion(pData, dx);
        var mixture = pData.Zip(pG, (a, b) => 0.5 * (a + b)).ToArray();
        var (mlo, mhi) = Toy1D.CentralRegion(mixture, dx);
        double maxHalf = Enumerable.Range(lo, hi - lo).Max(i => Math.Abs(d[i] - 0.5));
        double maxOpt = Enumerable.Range(mlo, mhi - mlo).Max(i => Math.Abs(d[i] - dStar[i]));
        var mapping = Enumerable.Range(0, 21).Select(i => (Z: (i + 0.5) / 21.0, X: (double)gz.Data[(int)((i + 0.5) / 21.0 * zGrid)])).ToArray();
        return new Toy1DSnapshot(label, x, pData, pG, d, dStar, Toy1D.JensenShannon(pData, pG, dx),
            Toy1D.Value(pData, pG, dStar, dx), Toy1D.Value(pData, pG, d, dx), maxHalf, maxOpt, mapping);
    }

    /// <summary>A parameter-free generator x = μ + s·Φ⁻¹(z): for z ~ U(0,1), p_g is exactly N(μ, s²).</summary>
    public sealed class GaussianQuantileGenerator(double mean, double std) : Module
    {
        /// <inheritdoc />
        public override Tensor Forward(Tensor input)
        {
            var y = new Tensor(input.Shape);
            for (int i = 0; i < input.Length; i++) y.Data[i] = (float)(mean + std * Toy1D.NormalQuantile(Math.Clamp(input.Data[i], 1e-7f, 1 - 1e-7f)));
            return y;
        }
    }
}
