using SharpGan.Models;
using SharpGan.Data;
using SharpGan.Gan;

namespace SharpGan.Training;

/// <summary>
/// Everything needed to rebuild and train a GAN. Written to a run's config.json; every preset is one of
/// these, printable with <c>sharpgan train --preset P --print-config</c> and editable.
/// </summary>
public sealed record GanConfig
{
    /// <summary>The preset this config started from (informational).</summary>
    public string Preset { get; init; } = "custom";

    /// <summary>Dataset name from the catalogue ("mnist", "fashion-mnist", "cifar10").</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>Pixel scaling; must match the generator's output activation.</summary>
    public PixelRange PixelRange { get; init; } = PixelRange.ZeroOne;

    /// <summary>Train on only the first N training images (quick experiments); null = the paper's 50 000.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Master seed; every random stream (init, data order, noise, dropout) derives from it.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Network shapes and initialisation.</summary>
    public ModelConfig Model { get; init; } = new();

    /// <summary>Algorithm 1's knobs and the run's schedule.</summary>
    public TrainingConfig Training { get; init; } = new();

    /// <summary>Update rule and schedules.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
}

/// <summary>Model section of <see cref="GanConfig"/>.</summary>
public sealed record ModelConfig
{
    /// <summary>"mlp-maxout" (the paper's MNIST networks), "dcgan28" (PAPER §7's 28×28 DCGAN) or "dcgan32" (32×32, CIFAR-10).</summary>
    public Architecture Architecture { get; init; } = Architecture.MlpMaxout;

    /// <summary>Dimension of z.</summary>
    public int NoiseDim { get; init; } = 100;

    /// <summary>Distribution of z.</summary>
    public NoisePrior NoisePrior { get; init; } = NoisePrior.Gaussian;

    /// <summary>Width of G's two hidden ReLU layers.</summary>
    public int GeneratorHidden { get; init; } = 1200;

    /// <summary>Maxout units per hidden layer of D.</summary>
    public int DiscriminatorUnits { get; init; } = 240;

    /// <summary>Pieces per maxout unit.</summary>
    public int DiscriminatorPieces { get; init; } = 5;

    /// <summary>Probability of keeping an input pixel in D's dropout.</summary>
    public float DiscriminatorInputKeep { get; init; } = 0.8f;

    /// <summary>Probability of keeping a hidden unit in D's dropout.</summary>
    public float DiscriminatorHiddenKeep { get; init; } = 0.5f;

    /// <summary>G weights and biases start U(−r, r).</summary>
    public float GeneratorInitRange { get; init; } = 0.05f;

    /// <summary>D weights and biases start U(−r, r).</summary>
    public float DiscriminatorInitRange { get; init; } = 0.005f;

    /// <summary>Base channel count f of the DCGAN networks (4f, 2f, f).</summary>
    public int Features { get; init; } = 64;

    /// <summary>Set G's output bias to the logit of the data's mean pixel values.</summary>
    public bool OutputBiasFromData { get; init; } = true;

    /// <summary>A conditional GAN (paper §7): G and D both also take the class, as a one-hot row.</summary>
    public bool Conditional { get; init; }

    /// <summary>
    /// BatchNorm in the DCGAN discriminator's inner stages (the reference DCGAN's). Off, the convolutions get biases
    /// instead: what a gradient penalty wants, since BatchNorm makes each example's output depend on the others.
    /// </summary>
    public bool DiscriminatorBatchNorm { get; init; } = true;

    /// <summary>Spectral normalisation of every weight of D (Miyato et al. 2018): each layer at most 1-Lipschitz.</summary>
    public bool SpectralNorm { get; init; }
}

/// <summary>Training section of <see cref="GanConfig"/>.</summary>
public sealed record TrainingConfig
{
    /// <summary>Minibatch size m.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Discriminator steps per generator step.</summary>
    public int K { get; init; } = 1;

    /// <summary>The game: the paper's (standard), hinge, wasserstein or least_squares.</summary>
    public GanObjective Objective { get; init; } = GanObjective.Standard;

    /// <summary>G's objective under the standard game (the others define G's loss themselves).</summary>
    public GeneratorLoss GeneratorLoss { get; init; } = GeneratorLoss.NonSaturating;

    /// <summary>A penalty on D's input gradient added to D's loss: none, wgan_gp or r1.</summary>
    public GradientPenalty GradientPenalty { get; init; } = GradientPenalty.None;

    /// <summary>The penalty's weight: λ of WGAN-GP (10 in the paper), γ of R1.</summary>
    public float PenaltyWeight { get; init; } = 10f;

    /// <summary>Apply D and G updates from the same minibatch together (the reference code's choice).</summary>
    public bool Simultaneous { get; init; }

    /// <summary>
    /// Run D on the real and the fake half separately (two forward passes) rather than on one concatenated batch,
    /// so BatchNorm's batch statistics never mix real and generated images (DCGAN's reference does this).
    /// </summary>
    public bool SeparateDiscriminatorBatches { get; init; }

    /// <summary>Epochs to train (passes of D over the training set).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Stop after this many iterations even if epochs remain; null = no limit.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Iterations between metrics.csv rows.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Iterations between sample grids; 0 = at the end of every epoch.</summary>
    public int SampleEvery { get; init; }

    /// <summary>Iterations between checkpoints; 0 = at the end of every epoch.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Checkpoints kept on disk (older ones are deleted once a newer one is safely written).</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>Iterations between sample-quality measurements appended to metrics.csv and the chart; 0 = never.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Samples (and test images) per measurement.</summary>
    public int EvalSamples { get; init; } = 2_000;

    /// <summary>Add a fast Parzen-window log-likelihood to each measurement.</summary>
    public bool EvalParzen { get; init; } = true;

    /// <summary>
    /// β of an exponential moving average of G's weights, updated after every G step and used for all sampling
    /// (<see cref="GeneratorAverage"/>); 0 = none (the paper). 0.999 averages over about the last 1 000 updates.
    /// </summary>
    public double GeneratorEma { get; init; }
}

/// <summary>Optimiser section of <see cref="GanConfig"/>.</summary>
public sealed record OptimizerConfig
{
    /// <summary>The update rule: sgd (momentum, the paper) or adam.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;

    /// <summary>Initial learning rate for both players (for G only when <see cref="DiscriminatorLearningRate"/> is set).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>D's own initial learning rate (two time-scale updates, Heusel et al. 2017); null = <see cref="LearningRate"/>.</summary>
    public float? DiscriminatorLearningRate { get; init; }

    /// <summary>Learning rate divided by this after every update (1 = constant).</summary>
    public double LrDecayFactor { get; init; } = 1.000004;

    /// <summary>Learning rate never decays below this.</summary>
    public float LrFloor { get; init; } = 1e-6f;

    /// <summary>
    /// Later phases of the decay, in step order: from each phase's step on, the rate reached so far is divided
    /// by that phase's factor per update instead. `train --resume RUN --anneal F` appends one; empty = the
    /// single exponential decay above.
    /// </summary>
    public IReadOnlyList<LrAnnealPhase> LrAnneal { get; init; } = [];

    /// <summary>SGD momentum before the ramp.</summary>
    public float MomentumStart { get; init; } = 0.5f;

    /// <summary>SGD momentum after the ramp.</summary>
    public float MomentumEnd { get; init; } = 0.7f;

    /// <summary>Epoch where the momentum ramp starts.</summary>
    public double MomentumRampStartEpoch { get; init; } = 1;

    /// <summary>Epoch where the momentum ramp ends.</summary>
    public double MomentumRampEndEpoch { get; init; } = 250;

    /// <summary>Adam β1.</summary>
    public float Beta1 { get; init; } = 0.5f;

    /// <summary>Adam β2.</summary>
    public float Beta2 { get; init; } = 0.999f;
}

/// <summary>The update rules a config may choose (JSON: "sgd", "adam").</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (the paper's rule).</summary>
    Sgd,
    /// <summary>Adam (DCGAN's).</summary>
    Adam,
}

/// <summary>One phase of <see cref="OptimizerConfig.LrAnneal"/>: from training step <see cref="FromStep"/> on, divide the rate by <see cref="Factor"/> per update.</summary>
public sealed record LrAnnealPhase(long FromStep, double Factor);
