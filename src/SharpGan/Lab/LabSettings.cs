using SharpGan.Gan;

namespace SharpGan.Lab;

/// <summary>
/// What the 2-D lab trains, every value bounded: the settings arrive from a web page, so <see cref="Validate"/> names
/// the first value out of range (the server answers 400 with that message) and nothing reaches the engine unchecked.
/// </summary>
public sealed record LabSettings
{
    /// <summary>The data: "ring8", "grid25", "gaussian" (one blob at the origin) or "drawn" (the points the user placed).</summary>
    public string Data { get; init; } = "ring8";

    /// <summary>Discriminator steps per iteration (Algorithm 1's k).</summary>
    public int K { get; init; } = 1;

    /// <summary>Generator steps per iteration: more than one trains G "too much without updating D" (the Helvetica scenario).</summary>
    public int GeneratorSteps { get; init; } = 1;

    /// <summary>D's learning rate.</summary>
    public float DiscriminatorLearningRate { get; init; } = 1e-3f;

    /// <summary>G's learning rate.</summary>
    public float GeneratorLearningRate { get; init; } = 1e-3f;

    /// <summary>"adam" (β1 0.5) or "sgd" (no momentum).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>G's objective.</summary>
    public GeneratorLoss Loss { get; init; } = GeneratorLoss.NonSaturating;

    /// <summary>The game: the paper's (standard) or hinge, wasserstein, least_squares.</summary>
    public GanObjective Objective { get; init; } = GanObjective.Standard;

    /// <summary>A penalty on D's input gradient: none, r1 or wgan_gp.</summary>
    public GradientPenalty Penalty { get; init; } = GradientPenalty.None;

    /// <summary>The penalty's weight (γ of R1, λ of WGAN-GP).</summary>
    public double PenaltyWeight { get; init; } = 1;

    /// <summary>p_z.</summary>
    public NoisePrior Prior { get; init; } = NoisePrior.Gaussian;

    /// <summary>Dimension of z; 2 lets the page draw G's manifold as a warped grid.</summary>
    public int NoiseDim { get; init; } = 2;

    /// <summary>Hidden width of G and D (two hidden layers each).</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Minibatch size m.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed of a reset.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Iterations per second while playing (below 1: slow motion).</summary>
    public double Speed { get; init; } = 60;

    /// <summary>The data sets the lab knows.</summary>
    public static IReadOnlyList<string> DataSets { get; } = ["ring8", "grid25", "gaussian", "drawn"];

    /// <summary>The optimisers the lab offers.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["adam", "sgd"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of its range.</summary>
    public void Validate()
    {
        if (!DataSets.Contains(Data)) throw new ArgumentException($"data '{Data}' is not one of {string.Join(", ", DataSets)}");
        if (!Optimizers.Contains(Optimizer)) throw new ArgumentException($"optimizer '{Optimizer}' is not one of {string.Join(", ", Optimizers)}");
        if (!Enum.IsDefined(Loss)) throw new ArgumentException($"loss {(int)Loss} is not a generator loss");
        if (!Enum.IsDefined(Prior)) throw new ArgumentException($"prior {(int)Prior} is not a noise prior");
        if (!Enum.IsDefined(Objective)) throw new ArgumentException($"objective {(int)Objective} is not an objective");
        if (!Enum.IsDefined(Penalty)) throw new ArgumentException($"penalty {(int)Penalty} is not a gradient penalty");
        Check(nameof(PenaltyWeight), PenaltyWeight, 0, 100);
        Check(nameof(K), K, 1, 20);
        Check(nameof(GeneratorSteps), GeneratorSteps, 1, 20);
        Check(nameof(NoiseDim), NoiseDim, 1, 16);
        Check(nameof(Hidden), Hidden, 4, 256);
        Check(nameof(BatchSize), BatchSize, 8, 1024);
        Check(nameof(Seed), Seed, 0, int.MaxValue);
        Check(nameof(DiscriminatorLearningRate), DiscriminatorLearningRate, 1e-6, 1);
        Check(nameof(GeneratorLearningRate), GeneratorLearningRate, 1e-6, 1);
        Check(nameof(Speed), Speed, 0.1, 5000);
    }

    private static void Check(string name, double value, double min, double max)
    {
        if (!(value >= min && value <= max)) throw new ArgumentException($"{name} must be in [{min}, {max}], got {value}");
    }
}
