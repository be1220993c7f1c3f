using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Samples — a generator's outputs G(z), the one thing this project calls a sample — drawn from a trained generator (a forward pass only, in eval mode, nothing recorded): the averaged
/// generator when the run keeps one, else G.
/// </summary>
public static class Samples
{
    /// <summary>
    /// Rows a convolutional G runs at once when sampling. In eval mode rows are independent and each is computed the same
    /// way whatever the chunk, so chunking changes no value; it bounds memory: im2col buffers grow with the rows
    /// (DCGAN-28's last layer: 1.6 GB for 2 000 rows at once, and the buffer pool keeps them).
    /// </summary>
    public const int ChunkRows = 128;

    // An MLP's activations are small (1 200 floats a row), and its GEMMs run faster on tall matrices (10 000 samples
    // in 128-row chunks: +15 % time), so it takes far larger chunks.
    private const int MlpChunkRows = 2048;

    // The generators wrap their layers (MlpGenerator holds a Sequential), so the whole tree is searched: with only the
    // top module looked at, the paper's G drew in 128-row chunks and packed its 2.5 M weights 79 times for 10 000
    // samples (a quarter of the draw's CPU time).
    internal static int RowsAtOnce(Nn.Module generator) =>
        generator.SelfAndDescendants().Any(m => m is Nn.Conv2d or Nn.ConvTranspose2d) ? ChunkRows : MlpChunkRows;

    /// <summary>G(z) for the given noise rows, as a heap tensor (count, sample dim).</summary>
    public static Tensor Draw(GanModels models, Tensor noise)
    {
        var generator = models.SamplingGenerator;
        bool wasTraining = generator.IsTraining;
        generator.Eval();
        try
        {
            if (Tape.Current is not null) throw new InvalidOperationException("sample outside any tape: samples must outlive the step");
            int count = noise.Shape[0], chunkRows = RowsAtOnce(generator);
            if (count <= chunkRows) return generator.Forward(noise);
            int width = noise.RowLength;
            Tensor? all = null;
            for (int start = 0; start < count; start += chunkRows)
            {
                int rows = Math.Min(chunkRows, count - start);
                var chunk = new Tensor(rows, width);
                noise.Data.AsSpan(start * width, rows * width).CopyTo(chunk.Data);
                var output = generator.Forward(chunk);
                all ??= new Tensor([count, .. output.Shape[1..]]);
                output.Data.AsSpan(0, output.Length).CopyTo(all.Data.AsSpan(start * output.RowLength));
            }
            return all!;
        }
        finally
        {
            generator.Train(wasTraining);
        }
    }

    /// <summary>Batches of 100 rows that <see cref="RemeasureAveragedStatistics"/> averages BatchNorm's statistics over.</summary>
    public const int StandingStatisticsBatches = 50;

    /// <summary>
    /// Gives an averaged generator (<see cref="GanModels.AveragedGenerator"/>) BatchNorm statistics of its own: the running
    /// statistics it carries are the live G's, measured with other weights, and sampling with them in eval mode is far off
    /// (a DCGAN's averaged G at epoch 1: Fréchet distance 827 with them, 545 with its own). Measured over
    /// <see cref="StandingStatisticsBatches"/> × 100 draws of a fixed noise seed, so the result depends on the weights
    /// alone and measuring twice changes nothing. No-op without an averaged G or without BatchNorm.
    /// </summary>
    public static void RemeasureAveragedStatistics(GanModels models, NoisePrior prior)
    {
        if (models.AveragedGenerator is not { } averaged) return;
        var rng = new Rng(StandingStatisticsSeed);
        Nn.BatchNorm.RemeasureRunningStatistics(averaged, () => Input(models, prior, 100, rng), StandingStatisticsBatches);
    }

    private const ulong StandingStatisticsSeed = 0x5741_4e44; // any fixed value: the statistics must not depend on the run's streams

    /// <summary>
    /// Draws <paramref name="count"/> samples with fresh noise from <paramref name="rng"/>. A conditional G is asked for
    /// <paramref name="labels"/> (one a sample), or by default for the classes in turn (0, 1, …, K−1, 0, …: balanced).
    /// </summary>
    public static Tensor Draw(GanModels models, NoisePrior prior, int count, Rng rng, ReadOnlySpan<byte> labels = default) =>
        Draw(models, Input(models, prior, count, rng, labels));

    /// <summary>G's input for <paramref name="count"/> samples: noise from <paramref name="rng"/>, beside one-hot labels when conditional.</summary>
    public static Tensor Input(GanModels models, NoisePrior prior, int count, Rng rng, ReadOnlySpan<byte> labels = default)
    {
        var z = new Tensor(count, models.NoiseDim);
        prior.Fill(z.Data, rng);
        return WithLabels(models, z, labels);
    }

    /// <summary>
    /// G's input from given noise <paramref name="z"/> (count, noise_dim): z itself for an unconditional G; z beside the
    /// one-hot <paramref name="labels"/> (default: the classes in turn) for a conditional one.
    /// </summary>
    public static Tensor WithLabels(GanModels models, Tensor z, ReadOnlySpan<byte> labels = default)
    {
        int count = z.Shape[0], nz = models.NoiseDim, width = models.GeneratorInputDim;
        if (z.Shape.Length != 2 || z.Shape[1] != nz) throw new ArgumentException($"noise must be (count, {nz}), got [{Shapes.Format(z.Shape)}]", nameof(z));
        if (models.Classes == 0)
        {
            if (!labels.IsEmpty) throw new ArgumentException("the generator is not conditional: it takes no labels", nameof(labels));
            return z;
        }
        var chosen = labels.IsEmpty ? Enumerable.Range(0, count).Select(i => (byte)(i % models.Classes)).ToArray() : labels.ToArray();
        var input = new Tensor(count, width);
        for (int i = 0; i < count; i++) z.Data.AsSpan(i * nz, nz).CopyTo(input.Data.AsSpan(i * width, nz));
        ClassConditioning.WriteOneHot(input.Data, count, width, chosen, models.Classes);
        return input;
    }

    /// <summary>
    /// G's input for a <paramref name="rows"/>×<paramref name="columns"/> grid from fixed noise. Unconditional: independent z
    /// for every cell. Conditional: row r asks for class r mod K and every row uses the same <paramref name="columns"/> z,
    /// so a column is one z across the classes.
    /// </summary>
    public static Tensor GridInput(GanModels models, NoisePrior prior, int rows, int columns, Rng rng)
    {
        if (models.Classes == 0) return Input(models, prior, rows * columns, rng);
        var shared = new Tensor(columns, models.NoiseDim);
        prior.Fill(shared.Data, rng);
        var z = new Tensor(rows * columns, models.NoiseDim);
        for (int r = 0; r < rows; r++) shared.Data.CopyTo(z.Data.AsSpan(r * columns * models.NoiseDim));
        var labels = Enumerable.Range(0, rows * columns).Select(i => (byte)(i / columns % models.Classes)).ToArray();
        return WithLabels(models, z, labels);
    }
}
