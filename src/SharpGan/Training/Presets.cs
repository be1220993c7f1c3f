using SharpGan.Models;
using SharpGan.Data;
using SharpGan.Gan;

namespace SharpGan.Training;

/// <summary>Named, ready-to-train configurations.</summary>
public static class Presets
{
    /// <summary>(name, one-line description, config).</summary>
    public static IReadOnlyList<(string Name, string Description, GanConfig Config)> All { get; } =
    [
        ("mnist-paper", "Goodfellow et al. 2014 on MNIST: MLP G (1200-1200, ReLU, sigmoid), maxout D (240×5 ×2) with dropout, SGD+momentum", MnistPaper("mnist")),
        ("fashion-mnist-paper", "the same networks and schedule on Fashion-MNIST", MnistPaper("fashion-mnist")),
        ("mnist-dcgan", "DCGAN for 28×28 (ConvT 7,4,4 / Conv 4,4,7, BatchNorm, f = 64), Adam 2e-4 β=(0.5, 0.999), batch 64, data in [−1, 1]", Dcgan("mnist")),
        ("fashion-mnist-dcgan", "the DCGAN-28 networks and schedule on Fashion-MNIST", Dcgan("fashion-mnist")),
        ("cifar10-dcgan", "DCGAN for 32×32×3 (ConvT 4,4,4,4 / Conv 4,4,4,4, BatchNorm, f = 64), Adam 2e-4 β=(0.5, 0.999), batch 64, data in [−1, 1]", Dcgan("cifar10", Architecture.Dcgan32)),
        ("mnist-cgan", "conditional mnist-paper (paper §7): the class as a one-hot input beside z for G and beside x for D (its first maxout layer); uniform noise, Adam 2e-4", ConditionalMlp("mnist", "mnist-cgan")),
        ("fashion-mnist-cgan", "the conditional paper networks on Fashion-MNIST; uniform noise, Adam 2e-4", ConditionalMlp("fashion-mnist", "fashion-mnist-cgan")),
        ("mnist-cdcgan", "conditional mnist-dcgan: one-hot class into G's first transposed convolution, as 10 constant planes beside D's image", Conditional(Dcgan("mnist"), "mnist-cdcgan")),
        ("mnist-dcgan-r1", "mnist-dcgan (non-saturating) with the R1 penalty on real data, γ = 10 (Mescheder et al. 2018)", DcganR1("mnist")),
        ("fashion-mnist-dcgan-r1", "the same on Fashion-MNIST", DcganR1("fashion-mnist")),
        ("mnist-dcgan-hinge-sn", "DCGAN-28 with the hinge loss and spectral normalisation in D instead of BatchNorm (Miyato et al. 2018), Adam β=(0.5, 0.999)", DcganHingeSn("mnist")),
        ("fashion-mnist-dcgan-hinge-sn", "the same on Fashion-MNIST", DcganHingeSn("fashion-mnist")),
        ("mnist-dcgan-wgangp", "DCGAN-28 critic without BatchNorm, WGAN-GP (Gulrajani et al. 2017): λ = 10, n_critic = 5, Adam 1e-4 β=(0, 0.9)", DcganWganGp("mnist")),
        ("fashion-mnist-dcgan-wgangp", "the same on Fashion-MNIST", DcganWganGp("fashion-mnist")),
        ("mnist-dcgan-lsgan", "mnist-dcgan with the least-squares objective (Mao et al. 2017)", DcganLeastSquares("mnist")),
    ];

    private static GanConfig Named(GanConfig config, string name) => config with { Preset = name };

    private static GanConfig DcganLeastSquares(string dataset)
    {
        var c = Named(Dcgan(dataset), dataset + "-dcgan-lsgan");
        return c with { Training = c.Training with { Objective = GanObjective.LeastSquares } };
    }

    // R1 regularises D only where the data is (γ/2·E‖∇D(x)‖²), which Mescheder et al. show makes the game locally
    // convergent; the DCGAN's networks and Adam otherwise unchanged.
    private static GanConfig DcganR1(string dataset)
    {
        var c = Named(Dcgan(dataset), dataset + "-dcgan-r1");
        return c with { Training = c.Training with { GradientPenalty = GradientPenalty.R1, PenaltyWeight = 10f } };
    }

    // Spectral normalisation bounds each layer of D; it replaces D's BatchNorm, as in the SN-GAN paper's CNN.
    private static GanConfig DcganHingeSn(string dataset)
    {
        var c = Named(Dcgan(dataset), dataset + "-dcgan-hinge-sn");
        return c with
        {
            Model = c.Model with { SpectralNorm = true, DiscriminatorBatchNorm = false },
            Training = c.Training with { Objective = GanObjective.Hinge },
        };
    }

    // Gulrajani et al.'s recipe: the critic has no BatchNorm (the penalty is per example), five critic steps per G step,
    // Adam with β1 = 0 and β2 = 0.9 at 1e-4.
    private static GanConfig DcganWganGp(string dataset)
    {
        var c = Named(Dcgan(dataset), dataset + "-dcgan-wgangp");
        return c with
        {
            Model = c.Model with { DiscriminatorBatchNorm = false },
            Training = c.Training with { Objective = GanObjective.Wasserstein, GradientPenalty = GradientPenalty.WganGp, PenaltyWeight = 10f, K = 5 },
            Optimizer = c.Optimizer with { LearningRate = 1e-4f, Beta1 = 0f, Beta2 = 0.9f },
        };
    }

    // The paper's networks with the class, trained with DCGAN's Adam (2e-4, β1 0.5, constant) and uniform noise. With
    // the paper's SGD schedule the conditional pair collapsed: seed 1 to one image in its first epoch with Gaussian noise
    // (D loss 2e-5 at epoch 13), and by epoch 5 with uniform noise; halving the rate still drove D's loss to 1e-3 by
    // epoch 6. D can reject fakes whose image does not match their label long before G learns to read the label, and
    // under SGD at 0.1 G's sigmoid saturated and stopped learning. With Adam the same seed keeps D's loss at 0.05–0.15 and
    // draws the asked class in every row by epoch 8.
    private static GanConfig ConditionalMlp(string dataset, string name)
    {
        var config = Conditional(MnistPaper(dataset), name);
        return config with
        {
            Model = config.Model with { NoisePrior = NoisePrior.UniformUnitVariance },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 2e-4f, LrDecayFactor = 1, Beta1 = 0.5f, Beta2 = 0.999f },
        };
    }

    private static GanConfig Conditional(GanConfig config, string name) =>
        config with { Preset = name, Model = config.Model with { Conditional = true } };

    /// <summary>Looks a preset up; throws <see cref="ConfigException"/> listing the names when unknown.</summary>
    public static GanConfig Get(string name) =>
        All.FirstOrDefault(p => p.Name == name).Config
        ?? throw new ConfigException($"unknown preset '{name}'; available: {string.Join(", ", All.Select(p => p.Name))} (see `sharpgan presets`)");

    // PAPER §7: 28×28 layout (32×32 for CIFAR-10), nz = 100, N(0, 0.02) init, Adam 2e-4 with β = (0.5, 0.999) at a constant rate, batch 64.
    private static GanConfig Dcgan(string dataset, Architecture architecture = Architecture.Dcgan28) => new()
    {
        Preset = dataset + "-dcgan",
        Dataset = dataset,
        PixelRange = PixelRange.MinusOneOne,
        Model = new ModelConfig { Architecture = architecture, NoiseDim = 100, Features = 64, OutputBiasFromData = false },
        Training = new TrainingConfig { BatchSize = 64, K = 1, Epochs = 25, SeparateDiscriminatorBatches = true },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 2e-4f, LrDecayFactor = 1, Beta1 = 0.5f, Beta2 = 0.999f },
    };

    // PAPER §4, exactly: G 100 → 1200 → 1200 → 784 (U(±0.05), output bias from pixel marginals), D maxout
    // 240×5 ×2 with dropout keep 0.8/0.5 (U(±0.005)), SGD lr 0.1 decayed ÷1.000004 per update to 1e-6,
    // momentum 0.5 → 0.7 over epochs 1–250, batch 100, k = 1, non-saturating G loss, Gaussian z.
    private static GanConfig MnistPaper(string dataset) => new()
    {
        Preset = dataset + "-paper",
        Dataset = dataset,
        PixelRange = PixelRange.ZeroOne,
        Model = new ModelConfig(),
        Training = new TrainingConfig { BatchSize = 100, K = 1, Epochs = 100 },
        Optimizer = new OptimizerConfig(),
    };
}
