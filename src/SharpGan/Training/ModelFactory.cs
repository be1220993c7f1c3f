using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>Builds networks and optimisers from a <see cref="GanConfig"/>.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Builds and initialises both networks, drawing weights from the Init stream and giving dropout the Dropout stream
    /// of <paramref name="random"/> (a trainer passes the streams it saves; by default the config seed's own).
    /// <paramref name="pixelMeans"/> (the training data's mean image) sets G's output bias when the config asks; pass
    /// null when weights will be loaded from a checkpoint.
    /// </summary>
    public static GanModels Build(GanConfig config, float[]? pixelMeans, RandomStreams? random = null)
    {
        var m = config.Model;
        random ??= new RandomStreams(config.Seed);
        var (init, dropout) = (random[RandomStream.Init], random[RandomStream.Dropout]);
        var (h, w, c) = DatasetCatalog.ImageShape(config.Dataset);
        // A conditional pair reads K more inputs each: G a one-hot label beside z, D one beside the image.
        int k = m.Conditional ? DatasetCatalog.ClassCount(config.Dataset) : 0, gInput = m.NoiseDim + k;
        // The averaged generator is only allocated here; its weights come from G (GeneratorAverage.Reset) or a checkpoint.
        bool averaged = config.Training.GeneratorEma > 0;
        if (m.Architecture.Dcgan() is not { } layout)
        {
            MlpGenerator NewGenerator() => new(gInput, m.GeneratorHidden, h * w * c);
            var g = NewGenerator();
            g.InitializeUniform(m.GeneratorInitRange, init);
            if (m.OutputBiasFromData && pixelMeans is not null) g.InitializeOutputBiasFromMarginals(pixelMeans);
            var d = new MaxoutDiscriminator(dropout, h * w * c, m.DiscriminatorUnits, m.DiscriminatorPieces, m.DiscriminatorInputKeep, m.DiscriminatorHiddenKeep, k);
            d.InitializeUniform(m.DiscriminatorInitRange, init);
            if (m.SpectralNorm) UseSpectralNorm(d, init);
            return new GanModels(g, d, m.NoiseDim, h, w, c)
            { AveragedGenerator = averaged ? NewGenerator() : null, Classes = k };
        }
        if (ImageSizeMismatch(config) is { } mismatch) throw new ConfigException(mismatch);
        // The one-hot label through G's first transposed convolution is a learned b×b×4f map per class added to z's.
        Module NewDcganGenerator() => layout.Generator(gInput, m.Features, c);
        var dg = NewDcganGenerator();
        var dd = layout.Discriminator(m.Features, c, k, m.DiscriminatorBatchNorm);
        DcganLayout.Initialize(dg, init);
        DcganLayout.Initialize(dd, init);
        if (m.SpectralNorm) UseSpectralNorm(dd, init);
        return new GanModels(dg, dd, m.NoiseDim, h, w, c)
        { AveragedGenerator = averaged ? NewDcganGenerator() : null, Classes = k };
    }

    // Every weight of the network divided by its spectral norm (its power-iteration vectors drawn after the weights).
    private static void UseSpectralNorm(Module network, Rng rng)
    {
        foreach (var layer in network.SelfAndDescendants().Where(l => l is Linear or Maxout or Conv2d)) layer.UseSpectralNorm(rng);
    }

    /// <summary>
    /// The number of values G and D hold (weights, biases and BatchNorm statistics; the average of G not counted),
    /// computed from the config alone, without building anything: configs are bounded by it, and a checkpoint's
    /// embedded config is compared with the tensors the file holds before any network is allocated. A test keeps it
    /// equal to what <see cref="Build"/> allocates for every preset and for odd sizes.
    /// </summary>
    public static long StateElementCount(GanConfig config)
    {
        var (generator, discriminator) = StateElementCounts(config);
        return generator + discriminator;
    }

    /// <summary><see cref="StateElementCount"/> split into G's part and D's.</summary>
    public static (long Generator, long Discriminator) StateElementCounts(GanConfig config)
    {
        var m = config.Model;
        var (h, w, c) = DatasetCatalog.ImageShape(config.Dataset);
        long k = m.Conditional ? DatasetCatalog.ClassCount(config.Dataset) : 0;
        long pixels = (long)h * w * c, nz = m.NoiseDim + k; // a conditional G reads the label beside z
        if (m.Architecture.Dcgan() is not { } layout)
        {
            long hidden = m.GeneratorHidden, units = m.DiscriminatorUnits, pieces = m.DiscriminatorPieces;
            // Spectral normalisation keeps a (rows) and a (columns) vector per weight.
            long spectral = m.SpectralNorm ? (units * pieces + pixels + k) + (units * pieces + units) + (1 + units) : 0;
            return ((nz + 1) * hidden + (hidden + 1) * hidden + (hidden + 1) * pixels,
                    (pixels + k + 1) * units * pieces + (units + 1) * units * pieces + units + 1 + spectral);
        }
        // Convolutions have no bias; each BatchNorm holds 4 values a channel (γ, β, running mean and variance).
        long baseArea = (long)layout.BaseSide * layout.BaseSide, width = 4L * m.Features, generator = nz * width * baseArea + 4 * width;
        for (int stage = 1; stage < layout.Stages; stage++, width /= 2) generator += width * (width / 2) * 16 + 4 * (width / 2);
        generator += width * c * 16;
        width = m.Features;
        // A conditional D's label planes enter the first convolution. Each inner stage adds BatchNorm's 4 values a channel,
        // or, without it, a bias on every convolution; spectral normalisation a (rows) and a (columns) vector per weight.
        bool bn = m.DiscriminatorBatchNorm, sn = m.SpectralNorm;
        long discriminator = (c + k) * width * 16 + (bn ? 0 : width) + (sn ? width + (c + k) * 16 : 0);
        for (int stage = 1; stage < layout.Stages; stage++, width *= 2)
            discriminator += width * (width * 2) * 16 + (bn ? 4 : 1) * (width * 2) + (sn ? width * 2 + width * 16 : 0);
        return (generator, discriminator + width * baseArea + (bn ? 0 : 1) + (sn ? 1 + width * baseArea : 0));
    }

    /// <summary>
    /// Null when the config's architecture can produce its dataset's images (the MLPs take any size); else the error
    /// naming the DCGAN layout that would fit.
    /// </summary>
    public static string? ImageSizeMismatch(GanConfig config)
    {
        if (config.Model.Architecture.Dcgan() is not { } layout) return null;
        var (h, w, c) = DatasetCatalog.ImageShape(config.Dataset);
        if (layout.Side == h && layout.Side == w) return null;
        string fits = string.Join(" or ", Architectures.All.Where(a => a.Dcgan()?.Side == h).Select(a => a.Name()));
        return $"model.architecture {config.Model.Architecture.Name()} makes {layout.Side}×{layout.Side} images, " +
               $"but {config.Dataset} images are {h}×{w}×{c}" + (fits.Length > 0 ? $"; use {fits}" : "; no DCGAN layout makes that size");
    }

    /// <summary>
    /// The optimiser of one player with its schedules on that player's own update clock, so nothing sets a rate
    /// afterwards. D makes k updates an iteration, each on one minibatch; G one update an iteration, which spans k
    /// minibatches. Both schedules are read once an iteration, at its first update, and held through it: the rate
    /// decays per iteration-start update count (an anneal phase starting at training step s starts at D's update s·k);
    /// momentum ramps per whole epoch of <paramref name="batchesPerEpoch"/> minibatches, the epoch the iteration starts in.
    /// </summary>
    public static Optimizer BuildOptimizer(GanConfig config, Module module, Player player, int batchesPerEpoch)
    {
        var o = config.Optimizer;
        int k = config.Training.K;
        var (updatesPerIteration, batchesPerUpdate) = player == Player.Discriminator ? (k, 1) : (1, k);
        float initialRate = player == Player.Discriminator ? o.DiscriminatorLearningRate ?? o.LearningRate : o.LearningRate;
        var rate = new ExponentialDecay(initialRate, o.LrDecayFactor, o.LrFloor, o.LrAnneal.Select(p => (p.FromStep * updatesPerIteration, p.Factor)))
            .HeldFor(updatesPerIteration);
        var momentum = new LinearRamp(o.MomentumStart, o.MomentumEnd, o.MomentumRampStartEpoch, o.MomentumRampEndEpoch)
            .InUnits(batchesPerUpdate, batchesPerEpoch).HeldFor(updatesPerIteration);
        return o.Kind switch
        {
            OptimizerKind.Sgd => new Sgd(module.NamedParameters(), rate, momentum),
            OptimizerKind.Adam => new Adam(module.NamedParameters(), rate, o.Beta1, o.Beta2),
            _ => throw new ConfigException($"optimizer.kind '{o.Kind}' is unknown; use sgd or adam"),
        };
    }
}

/// <summary>The two players of the game.</summary>
public enum Player
{
    /// <summary>G.</summary>
    Generator,
    /// <summary>D.</summary>
    Discriminator,
}
