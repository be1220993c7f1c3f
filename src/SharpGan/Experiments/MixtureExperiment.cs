using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors.Kernels;
using SharpGan.Tensors;

namespace SharpGan.Experiments;

/// <summary>Settings of the 2-D mixture experiment.</summary>
public sealed record MixtureOptions
{
    /// <summary>"ring8" (8 modes on a circle of radius 2, σ 0.02) or "grid25" (5×5 grid, spacing 2, σ 0.05).</summary>
    public string Layout { get; init; } = "ring8";

    /// <summary>Generator steps per discriminator step (1 = Algorithm 1; more = the Helvetica recipe).</summary>
    public int GeneratorSteps { get; init; } = 1;

    /// <summary>Discriminator steps per iteration.</summary>
    public int K { get; init; } = 1;

    /// <summary>Iterations.</summary>
    public int Steps { get; init; } = 3000;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam learning rate for both players.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Hidden width of G and D.</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>Dimension of z.</summary>
    public int NoiseDim { get; init; } = 16;

    /// <summary>Seed.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The game (the paper's by default).</summary>
    public GanObjective Objective { get; init; } = GanObjective.Standard;

    /// <summary>A penalty on D's input gradient (none by default).</summary>
    public GradientPenalty Penalty { get; init; } = GradientPenalty.None;

    /// <summary>The penalty's weight (λ of WGAN-GP, γ of R1).</summary>
    public float PenaltyWeight { get; init; } = 1f;

    /// <summary>Spectral normalisation of D's weights.</summary>
    public bool SpectralNorm { get; init; }

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Layout is not ("ring8" or "grid25")) throw new ArgumentException($"unknown layout '{Layout}': use ring8 or grid25", nameof(Layout));
        foreach (var (name, v) in new[] { (nameof(GeneratorSteps), GeneratorSteps), (nameof(K), K), (nameof(Steps), Steps), (nameof(BatchSize), BatchSize), (nameof(Hidden), Hidden), (nameof(NoiseDim), NoiseDim) })
            if (v <= 0) throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (!(PenaltyWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(PenaltyWeight), PenaltyWeight, "penalty weight must be ≥ 0");
        if (!Enum.IsDefined(Objective)) throw new ArgumentOutOfRangeException(nameof(Objective), Objective, "unknown objective");
        if (!Enum.IsDefined(Penalty)) throw new ArgumentOutOfRangeException(nameof(Penalty), Penalty, "unknown penalty");
    }
}

/// <summary>GAN on a 2-D Gaussian mixture: Algorithm 1 (covers the modes) or G over-trained (Helvetica scenario).</summary>
public sealed class MixtureExperiment
{
    private readonly MixtureOptions _o;
    private readonly Sequential _g, _d;
    private readonly AdversarialStep _step;
    private readonly Rng _dataRng;
    private readonly Tensor _real;

    /// <summary>The target distribution.</summary>
    public GaussianMixture2D Mixture { get; }

    /// <summary>Builds G (nz → h → h → 2, ReLU) and D (2 → h → h → logit, LeakyReLU), Adam(β1 0.5).</summary>
    public MixtureExperiment(MixtureOptions options)
    {
        options.Validate();
        _o = options;
        Mixture = GaussianMixture2D.FromLayout(options.Layout);
        var random = new RandomStreams(options.Seed);
        var init = random[RandomStream.Init];
        (_g, _d) = Networks(options.NoiseDim, options.Hidden, init);
        if (options.SpectralNorm)
            foreach (var layer in _d.Layers) layer.UseSpectralNorm(init);
        var optG = new Adam(_g.NamedParameters(), options.LearningRate, 0.5f, 0.999f);
        var optD = new Adam(_d.NamedParameters(), options.LearningRate, 0.5f, 0.999f);
        _dataRng = random[RandomStream.Data];
        _real = new Tensor(options.BatchSize, 2);
        _step = new AdversarialStep(_g, _d, optG, optD, options.BatchSize, options.NoiseDim, random[RandomStream.Noise], options.K)
        {
            Objective = options.Objective, Penalty = options.Penalty, PenaltyWeight = options.PenaltyWeight,
            PenaltyRng = options.Penalty == GradientPenalty.WganGp ? random[RandomStream.Penalty] : null,
            PerValueNoise = true, // the README's fixed-seed results were found with this stream
        };
    }

    /// <summary>
    /// The 2-D pair: G (nz → h → h → 2, ReLU) and D (2 → h → h → logit, LeakyReLU), Xavier-uniform weights and zero
    /// biases from <paramref name="init"/>.
    /// </summary>
    public static (Sequential Generator, Sequential Discriminator) Networks(int noiseDim, int hidden, Rng init)
    {
        var g = new Sequential(new Linear(noiseDim, hidden, Activation.ReLU), new Linear(hidden, hidden, Activation.ReLU), new Linear(hidden, 2));
        var d = new Sequential(new Linear(2, hidden, Activation.LeakyReLU), new Linear(hidden, hidden, Activation.LeakyReLU), new Linear(hidden, 1));
        foreach (var net in new[] { g, d })
            foreach (var (name, p) in net.NamedParameters())
                if (name.EndsWith("weight")) Init.XavierUniform(p, init); else Init.Constant(p, 0f);
        return (g, d);
    }

    /// <summary>Runs iterations.</summary>
    public void Train(int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            _step.Run(() => { Mixture.Sample(_real.Data, _dataRng); return _real; });
            // The Helvetica scenario: G trained "too much without updating D", on fresh noise each time.
            for (int extra = 1; extra < _o.GeneratorSteps; extra++) _step.GeneratorStep(_step.NextNoise());
        }
    }

    /// <summary>Draws samples (n, 2) with a fixed noise seed.</summary>
    public float[] Samples(int n, ulong seed = 12345)
    {
        var noise = new Tensor(n, _o.NoiseDim);
        new Rng(seed).FillGaussian(noise.Data);
        return _g.Forward(noise).Data;
    }
}
