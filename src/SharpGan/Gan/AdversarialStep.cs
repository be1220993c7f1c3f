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
/// One training iteration of Algorithm 1: k discriminator steps, then one generator step.
/// The D step runs G without recording (no G gradients are computed); the G step runs through a frozen D
/// (no D gradients are computed), so neither update needs detach tricks. With <see cref="Simultaneous"/>
/// (the reference code's choice, k = 1), both gradients come from the same minibatch and D's pre-update
/// weights, and the two updates are applied together.
/// </summary>
public sealed class AdversarialStep
{
    private readonly Module _g, _d;
    private readonly Optimizer _optG, _optD;
    private readonly Rng _noiseRng;
    private readonly int _batch, _noiseDim;
    private readonly Tape _tape = new();
    private readonly Tensor _noise, _targets;

    /// <summary>Discriminator steps per generator step (the paper: 1).</summary>
    public int K { get; }

    /// <summary>G's objective.</summary>
    public GeneratorLoss Loss { get; }

    /// <summary>Noise distribution.</summary>
    public NoisePrior Prior { get; }

    /// <summary>Compute D and G gradients from one minibatch before applying either update.</summary>
    public bool Simultaneous { get; }

    /// <summary>
    /// Generator steps per iteration (Algorithm 1: 1). More than 1 trains G "too much without updating D",
    /// the paper's recipe for the Helvetica scenario (mode collapse).
    /// </summary>
    public int GeneratorSteps { get; init; } = 1;

    /// <summary>Run D on the real and fake halves in two passes (keeps BatchNorm statistics unmixed).</summary>
    public bool SeparateBatches { get; init; }

    /// <summary>Wires the step. <paramref name="noiseRng"/> draws every z, so a restored Rng replays the same noise.</summary>
    public AdversarialStep(Module generator, Module discriminator, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer,
        int batchSize, int noiseDim, Rng noiseRng, int k = 1, GeneratorLoss loss = GeneratorLoss.NonSaturating,
        NoisePrior prior = NoisePrior.Gaussian, bool simultaneous = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(noiseDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (simultaneous && k != 1) throw new ArgumentException("the simultaneous update applies D and G steps together, so k must be 1", nameof(k));
        (_g, _d, _optG, _optD, _noiseRng) = (generator, discriminator, generatorOptimizer, discriminatorOptimizer, noiseRng);
        (_batch, _noiseDim, K, Loss, Prior, Simultaneous) = (batchSize, noiseDim, k, loss, prior, simultaneous);
        _noise = new Tensor(batchSize, noiseDim);
        _targets = new Tensor(2 * batchSize, 1);
        Array.Fill(_targets.Data, 1f, 0, batchSize); // rows [0, m) real → 1, rows [m, 2m) fake → 0
    }

    /// <summary>Runs one iteration. <paramref name="nextRealBatch"/> is called once per D step and returns (m, dim) data.</summary>
    public StepStats Run(Func<Tensor> nextRealBatch)
    {
        if (Simultaneous && GeneratorSteps != 1) throw new InvalidOperationException("the simultaneous update takes exactly one generator step");
        StepStats stats = default;
        for (int step = 0; step < K; step++)
        {
            stats = DiscriminatorGradients(nextRealBatch());
            if (!Simultaneous) _optD.Step();
        }
        float gLoss = GeneratorGradients(); // in simultaneous mode, reuses the z of the D step
        if (Simultaneous) _optD.Step();
        _optG.Step();
        for (int extra = 1; extra < GeneratorSteps; extra++)
        {
            gLoss = GeneratorGradients();
            _optG.Step();
        }
        return stats with { GeneratorLoss = gLoss };
    }

    /// <summary>One discriminator update on this real batch against fresh fakes, G held fixed (D → D* when repeated).</summary>
    public StepStats StepDiscriminator(Tensor real)
    {
        if (Simultaneous) throw new InvalidOperationException("single steps are not defined for the simultaneous update");
        var stats = DiscriminatorGradients(real);
        _optD.Step();
        return stats;
    }

    /// <summary>One generator update through the current, frozen D with fresh noise; returns G's loss.</summary>
    public float StepGenerator()
    {
        if (Simultaneous) throw new InvalidOperationException("single steps are not defined for the simultaneous update");
        float loss = GeneratorGradients();
        _optG.Step();
        return loss;
    }

    private StepStats DiscriminatorGradients(Tensor real)
    {
        if (real.Shape.Length != 2 || real.Shape[0] != _batch)
            throw new ArgumentException($"a real batch must be ({_batch}, dim), got [{Shapes.Format(real.Shape)}]", nameof(real));
        _optD.ZeroGrad();
        NoiseSampler.Fill(Prior, _noise.Data, _noiseRng);
        using (_tape.Begin())
        {
            Tensor fake;
            using (_tape.NoGrad()) fake = _g.Forward(_noise);
            // Real rows first, fake rows second: in one pass, or in two so BatchNorm sees each kind alone.
            var logits = SeparateBatches ? Ops.Concat(0, _d.Forward(real), _d.Forward(fake)) : _d.Forward(Ops.Concat(0, real, fake));
            var loss = GanLosses.Discriminator(logits, _targets);
            _tape.Backward(loss);
            return new StepStats(loss.Item(), 0f,
                GanLosses.MeanProbability(logits.Data, 0, _batch), GanLosses.MeanProbability(logits.Data, _batch, _batch));
        }
    }

    private float GeneratorGradients()
    {
        _optG.ZeroGrad();
        if (!Simultaneous) NoiseSampler.Fill(Prior, _noise.Data, _noiseRng);
        using (_tape.Begin())
        {
            Tensor loss;
            using (_d.Freeze()) loss = GanLosses.Generator(_d.Forward(_g.Forward(_noise)), Loss);
            _tape.Backward(loss);
            return loss.Item();
        }
    }
}
