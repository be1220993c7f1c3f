using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>What one iteration of Algorithm 1 measured.</summary>
/// <param name="DiscriminatorLoss">D's cost on its last step.</param>
/// <param name="GeneratorLoss">G's cost.</param>
/// <param name="MeanDReal">Mean D(x) on the real batch of D's last step.</param>
/// <param name="MeanDFake">Mean D(G(z)) on the fake batch of D's last step (before G moves).</param>
public readonly record struct StepStats(float DiscriminatorLoss, float GeneratorLoss, float MeanDReal, float MeanDFake);

/// <summary>
/// Algorithm 1 of the paper, one iteration: k discriminator steps, then one generator step. Its two primitives are
/// public so that experiments compose their own schedules (Figure 1 trains D alone; the Helvetica scenario takes several
/// generator steps): <see cref="DiscriminatorStep"/> (fresh z, G held fixed: run without recording, so no G gradients
/// exist) and <see cref="GeneratorStep"/> (through a frozen D, so no D gradients exist), neither needing detach tricks.
/// With <see cref="Simultaneous"/> (the reference code's choice, k = 1) both gradients come from the same minibatch, the
/// same z and D's pre-update weights, and the two updates are applied together.
/// </summary>
public sealed class AdversarialStep
{
    private readonly Module _g, _d;
    private readonly Optimizer _optG, _optD;
    private readonly Rng _noiseRng;
    private readonly int _batch;
    private readonly Tape _tape = new();
    private readonly Tensor _noise;
    private Tensor? _targets;
    private float[] _mixing = [];
    private readonly Tensor? _latent;

    /// <summary>Discriminator steps per generator step (the paper: 1).</summary>
    public int K { get; }

    /// <summary>G's objective.</summary>
    public GeneratorLoss Loss { get; }

    /// <summary>Noise distribution.</summary>
    public NoisePrior Prior { get; }

    /// <summary>
    /// Draws Gaussian noise one double-precision Box–Muller value at a time (<see cref="NoisePriors.Fill"/>, the stream
    /// before December 2026) instead of the vectorised <see cref="NoisePriors.FillBatch"/>. The 2-D toy experiments and
    /// the lab draw a few hundred values an iteration and keep it, so the seeds their documented results name (ring8
    /// 8/8, grid25 24/25, the collapse under five G steps) still give them.
    /// </summary>
    public bool PerValueNoise { get; init; }

    /// <summary>Compute D and G gradients from one minibatch and one z before applying either update.</summary>
    public bool Simultaneous { get; }

    /// <summary>Run D on the real and fake halves in two passes (keeps BatchNorm statistics unmixed).</summary>
    public bool SeparateBatches { get; init; }

    /// <summary>The class conditioning of a conditional GAN (real batches then carry their one-hot labels); null otherwise.</summary>
    public ClassConditioning? Conditioning { get; }

    /// <summary>The game (<see cref="GanObjective.Standard"/>, the paper's, by default).</summary>
    public GanObjective Objective { get; init; }

    /// <summary>A penalty on D's input gradient added to D's loss (none by default).</summary>
    public GradientPenalty Penalty { get; init; }

    /// <summary>The penalty's weight (λ, or γ of R1).</summary>
    public float PenaltyWeight { get; init; } = 10f;

    /// <summary>Draws WGAN-GP's mixing weights ε; required with <see cref="GradientPenalty.WganGp"/>.</summary>
    public Rng? PenaltyRng { get; init; }

    /// <summary>
    /// Shares every step with the other processes of a data-parallel group (<see cref="DataParallel"/>): this process
    /// computes its block of each global batch, and gradients are summed before each update. Null: one process.
    /// </summary>
    public DataParallel? Parallel { get; init; }

    // The rows this process computes of each global batch of m.
    private int LocalBatch => Parallel?.Count ?? _batch;

    /// <summary>Wires the step. <paramref name="noiseRng"/> draws every z, so a restored Rng replays the same noise.</summary>
    public AdversarialStep(Module generator, Module discriminator, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer,
        int batchSize, int noiseDim, Rng noiseRng, int k = 1, GeneratorLoss loss = GeneratorLoss.NonSaturating,
        NoisePrior prior = NoisePrior.Gaussian, bool simultaneous = false, ClassConditioning? conditioning = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(noiseDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (simultaneous && k != 1) throw new ArgumentException("the simultaneous update applies D and G steps together, so k must be 1", nameof(k));
        (_g, _d, _optG, _optD, _noiseRng) = (generator, discriminator, generatorOptimizer, discriminatorOptimizer, noiseRng);
        (_batch, K, Loss, Prior, Simultaneous) = (batchSize, k, loss, prior, simultaneous);
        Conditioning = conditioning;
        // A conditional G reads (m, noise_dim + K): the noise is drawn into its own buffer and copied beside the labels.
        _noise = new Tensor(batchSize, noiseDim + (conditioning?.Classes ?? 0));
        if (conditioning is not null) _latent = new Tensor(batchSize, noiseDim);
    }

    // D's targets for this process's real rows then its fake rows: 1 for [0, n), 0 for [n, 2n).
    private Tensor Targets()
    {
        if (_targets is not null) return _targets;
        _targets = new Tensor(2 * LocalBatch, 1);
        Array.Fill(_targets.Data, 1f, 0, LocalBatch);
        return _targets;
    }

    /// <summary>
    /// One iteration, as Algorithm 1 reads. <paramref name="nextRealBatch"/> is called once per D step and returns (m, dim)
    /// data (with its one-hot labels appended, (m, dim + K), for a conditional GAN). Returns D's cost and outputs on its last step and G's cost.
    /// </summary>
    public StepStats Run(Func<Tensor> nextRealBatch)
    {
        if (Simultaneous)
        {
            var real = nextRealBatch();
            var z = NextNoise();
            var both = DiscriminatorGradients(real, z) with { GeneratorLoss = GeneratorGradients(z) };
            _optD.Step();
            _optG.Step();
            SyncRunningStatistics();
            return both;
        }
        StepStats stats = default;
        for (int step = 0; step < K; step++)                 // for k steps:
            stats = DiscriminatorStep(nextRealBatch());        //   update D on m real and m generated examples
        stats = stats with { GeneratorLoss = GeneratorStep(NextNoise()) }; // update G on m fresh noise samples
        SyncRunningStatistics();
        return stats;
    }

    // Data-parallel: every process ends the iteration with the same BatchNorm running statistics.
    private void SyncRunningStatistics()
    {
        Parallel?.AverageRunningStatistics(_g);
        Parallel?.AverageRunningStatistics(_d);
    }

    /// <summary>One discriminator update on this real batch against fakes from fresh noise, G held fixed (D → D* when repeated).</summary>
    public StepStats DiscriminatorStep(Tensor real)
    {
        if (Simultaneous) throw new InvalidOperationException("single steps are not defined for the simultaneous update");
        var stats = DiscriminatorGradients(real, NextNoise());
        _optD.Step();
        return stats;
    }

    /// <summary>One generator update on <paramref name="z"/> (m, noise dim) through the current, frozen D; returns G's cost.</summary>
    public float GeneratorStep(Tensor z)
    {
        if (Simultaneous) throw new InvalidOperationException("single steps are not defined for the simultaneous update");
        float loss = GeneratorGradients(z);
        _optG.Step();
        return loss;
    }

    /// <summary>
    /// Draws a fresh minibatch of noise from <see cref="Prior"/> into this step's buffer and returns it: valid until the
    /// next draw, which overwrites it.
    /// </summary>
    public Tensor NextNoise()
    {
        if (_latent is null)
        {
            FillNoise(_noise.Data);
            return _noise;
        }
        FillNoise(_latent.Data);
        int noiseDim = _latent.Shape[1], width = _noise.Shape[1];
        for (int i = 0; i < _batch; i++) _latent.Data.AsSpan(i * noiseDim, noiseDim).CopyTo(_noise.Data.AsSpan(i * width, noiseDim));
        Conditioning!.DrawLabels(_noise);
        return _noise;
    }

    private void FillNoise(Span<float> destination)
    {
        if (PerValueNoise) Prior.Fill(destination, _noiseRng);
        else Prior.FillBatch(destination, _noiseRng);
    }

    // What D sees of generated examples: G(z), beside the labels G was given when conditional.
    private Tensor Generated(Tensor z) => Conditioning is null ? _g.Forward(z) : Conditioning.DiscriminatorInput(_g.Forward(z), z);

    private StepStats DiscriminatorGradients(Tensor real, Tensor z)
    {
        if (real.Shape.Length != 2 || real.Shape[0] != _batch)
            throw new ArgumentException($"a real batch must be ({_batch}, dim), got [{Shapes.Format(real.Shape)}]", nameof(real));
        if (Penalty == GradientPenalty.WganGp) DrawMixingWeights(); // one ε per row of the global batch
        if (Parallel is not null) (real, z) = (Parallel.LocalReal(real), Parallel.LocalNoise(z));
        int n = LocalBatch;
        _optD.ZeroGrad();
        StepStats stats;
        using (_tape.Begin(secondOrder: Penalty != GradientPenalty.None))
        {
            Tensor fake;
            using (_tape.NoGrad())
            using (RowShard.Enter(Parallel?.Rows))
                fake = Generated(z);
            // R1 differentiates D's outputs on the real rows with respect to them, so those enter as a tensor of their own.
            var realInput = Penalty == GradientPenalty.R1 ? RequiringGrad(real) : real;
            // Real rows first, fake rows second: in one pass, or in two so BatchNorm sees each kind alone.
            Tensor logits;
            if (SeparateBatches)
            {
                Tensor onReal, onFake;
                using (RowShard.Enter(Parallel?.Rows)) onReal = _d.Forward(realInput);
                using (RowShard.Enter(Parallel?.Rows)) onFake = _d.Forward(fake);
                logits = Ops.Concat(0, onReal, onFake);
            }
            else
            {
                using (RowShard.Enter(Parallel?.RealThenFake)) logits = _d.Forward(Ops.Concat(0, realInput, fake));
            }
            bool standard = Objective == GanObjective.Standard;
            var loss = standard ? GanLosses.Discriminator(logits, Targets())
                : GanLosses.Discriminator(Objective, Ops.SliceRows(logits, 0, n), Ops.SliceRows(logits, n, n));
            int imageColumns = real.Shape[1] - (Conditioning?.Classes ?? 0);
            if (Penalty == GradientPenalty.R1)
                loss = Ops.Add(loss, GanLosses.R1Penalty(_tape, Ops.SliceRows(logits, 0, n), realInput, PenaltyWeight, imageColumns));
            else if (Penalty == GradientPenalty.WganGp)
            {
                using (RowShard.Enter(Parallel?.Rows))
                    loss = Ops.Add(loss, GanLosses.WassersteinGradientPenalty(_tape, _d, real, fake,
                        _mixing.AsSpan(Parallel?.Start ?? 0, n), PenaltyWeight, imageColumns));
            }
            _tape.Backward(loss);
            // D's mean output on each half: a probability in the standard game, the raw score in the others.
            stats = standard
                ? new StepStats(loss.Item(), 0f, GanLosses.MeanProbability(logits.Data, 0, n), GanLosses.MeanProbability(logits.Data, n, n))
                : new StepStats(loss.Item(), 0f, GanLosses.MeanOutput(logits.Data, 0, n), GanLosses.MeanOutput(logits.Data, n, n));
        }
        if (Parallel is null) return stats;
        Parallel.SumGradients(_d);
        return Parallel.Average(stats);
    }

    // WGAN-GP's ε for every row of the global batch, from the penalty's stream (every process draws them all).
    private void DrawMixingWeights()
    {
        var rng = PenaltyRng ?? throw new InvalidOperationException("the WGAN-GP penalty needs a PenaltyRng");
        if (_mixing.Length != _batch) _mixing = new float[_batch];
        for (int i = 0; i < _batch; i++) _mixing[i] = rng.NextFloat();
    }

    // A copy of x on the tape's arena that gradients can be taken with respect to.
    private static Tensor RequiringGrad(Tensor x)
    {
        var copy = Ops.Scale(x, 1f);
        copy.RequiresGrad = true;
        return copy;
    }

    private float GeneratorGradients(Tensor z)
    {
        if (Parallel is not null) z = Parallel.LocalNoise(z);
        _optG.ZeroGrad();
        float value;
        using (_tape.Begin())
        {
            Tensor loss;
            using (_d.Freeze())
            using (RowShard.Enter(Parallel?.Rows))
                loss = GanLosses.Generator(Objective, _d.Forward(Generated(z)), Loss);
            _tape.Backward(loss);
            value = loss.Item();
        }
        if (Parallel is null) return value;
        Parallel.SumGradients(_g);
        return Parallel.Average(new StepStats(0f, value, 0f, 0f)).GeneratorLoss;
    }
}
