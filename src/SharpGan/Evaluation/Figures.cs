using SharpGan.Gan;
using SharpGan.Tensors;

namespace SharpGan.Evaluation;

/// <summary>The paper's qualitative figures as image batches ready for <see cref="Imaging.ImageGrid"/>.</summary>
public static class Figures
{
    /// <summary>
    /// Figure 2: <paramref name="rows"/>×<paramref name="columns"/> samples, and after each row the training image
    /// nearest (Euclidean, over all of <paramref name="training"/>) to that row's last sample. Returns the images
    /// row-major with columns + 1 per row, and the index of each nearest training image.
    /// </summary>
    public static (float[] Images, int[] NearestIndex) SamplesWithNearest(Tensor samples, int rows, int columns, ReadOnlySpan<float> training, int trainingCount)
    {
        int d = samples.RowLength;
        if (samples.Rows != rows * columns) throw new ArgumentException($"need {rows}×{columns} samples, got {samples.Rows}", nameof(samples));
        var last = new float[rows * d];
        for (int r = 0; r < rows; r++) samples.Data.AsSpan((r * columns + columns - 1) * d, d).CopyTo(last.AsSpan(r * d));
        var (nearest, _) = SquaredDistances.Nearest(last, rows, training, trainingCount, d);
        var images = new float[rows * (columns + 1) * d];
        for (int r = 0; r < rows; r++)
        {
            samples.Data.AsSpan(r * columns * d, columns * d).CopyTo(images.AsSpan(r * (columns + 1) * d));
            training.Slice(nearest[r] * d, d).CopyTo(images.AsSpan((r * (columns + 1) + columns) * d));
        }
        return (images, nearest);
    }

    /// <summary>
    /// Figure 3: for each row, z moves linearly from one random noise vector to another in <paramref name="steps"/> equal
    /// steps; returns G(z) for rows·steps points, row-major. A conditional G is asked for <paramref name="label"/> throughout,
    /// or by default for class r mod K in row r.
    /// </summary>
    public static Tensor Interpolation(GanModels models, NoisePrior prior, int rows, int steps, Rng rng, byte? label = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "an interpolation needs at least 2 steps");
        if (label is not null && models.Classes == 0) throw new ArgumentException("the generator is not conditional: it takes no class", nameof(label));
        int nz = models.NoiseDim;
        var ends = new float[2 * nz];
        var noise = new Tensor(rows * steps, nz);
        for (int r = 0; r < rows; r++)
        {
            prior.Fill(ends, rng);
            for (int s = 0; s < steps; s++)
            {
                float t = s / (float)(steps - 1);
                for (int k = 0; k < nz; k++) noise.Data[(r * steps + s) * nz + k] = (1 - t) * ends[k] + t * ends[nz + k];
            }
        }
        if (models.Classes == 0) return Samples.Draw(models, noise);
        var labels = Enumerable.Range(0, rows * steps).Select(i => label ?? (byte)(i / steps % models.Classes)).ToArray();
        return Samples.Draw(models, Samples.WithLabels(models, noise, labels));
    }

    /// <summary>
    /// A conditional G's label moving, z held: each row keeps one random z while the class input moves linearly from
    /// one-hot(<paramref name="from"/>) to one-hot(<paramref name="to"/>) in <paramref name="steps"/> steps (in between, the
    /// input is a mixture of the two classes, which G never saw in training: the middle shows how it blends them).
    /// </summary>
    public static Tensor ClassInterpolation(GanModels models, NoisePrior prior, int rows, int steps, Rng rng, byte from, byte to)
    {
        if (models.Classes == 0) throw new ArgumentException("the generator is not conditional: it takes no class", nameof(models));
        if (from >= models.Classes || to >= models.Classes) throw new ArgumentOutOfRangeException(nameof(from), $"classes must be below {models.Classes}");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "an interpolation needs at least 2 steps");
        int nz = models.NoiseDim, width = models.GeneratorInputDim;
        var z = new float[nz];
        var input = new Tensor(rows * steps, width);
        for (int r = 0; r < rows; r++)
        {
            prior.Fill(z, rng);
            for (int s = 0; s < steps; s++)
            {
                float t = s / (float)(steps - 1);
                var row = input.Data.AsSpan((r * steps + s) * width, width);
                z.CopyTo(row);
                row[nz + from] += 1 - t;
                row[nz + to] += t;
            }
        }
        return Samples.Draw(models, input);
    }
}
