using SharpGan.IO;
namespace SharpGan.Data;

/// <summary>How pixels map to floats.</summary>
public enum PixelRange
{
    /// <summary>[0, 1] (the paper's MLP GAN, sigmoid output).</summary>
    ZeroOne,
    /// <summary>[−1, 1] (DCGAN, tanh output).</summary>
    MinusOneOne,
}

/// <summary>Helpers for <see cref="PixelRange"/>.</summary>
public static class PixelRangeExtensions
{
    /// <summary>The value black maps to: 0 for [0, 1], −1 for [−1, 1].</summary>
    public static float Low(this PixelRange range) => range == PixelRange.ZeroOne ? 0f : -1f;

    /// <summary>Rescales values in this range to [0, 1] in place (what the evaluations expect).</summary>
    public static void ToUnitRange(this PixelRange range, Span<float> values)
    {
        if (range == PixelRange.ZeroOne) return;
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] + 1f) / 2f;
    }
}

/// <summary>Which part of a dataset (PAPER §4's splits).</summary>
public enum DatasetSplit
{
    /// <summary>train[0:50000].</summary>
    Train,
    /// <summary>train[50000:60000].</summary>
    Validation,
    /// <summary>The 10 000 test images.</summary>
    Test,
    /// <summary>All 60 000 training images.</summary>
    FullTrain,
}

/// <summary>Images as a (count, height·width·channels) float matrix plus labels.</summary>
public sealed class ImageDataset
{
    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Channels (1 for MNIST).</summary>
    public int Channels { get; }

    /// <summary>Values per image.</summary>
    public int Dimension => Height * Width * Channels;

    /// <summary>Row-major (Count, Dimension) pixels in the requested range.</summary>
    public float[] Pixels { get; }

    /// <summary>Class label of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>Wraps pixel data; checks the sizes agree.</summary>
    public ImageDataset(int count, int height, int width, int channels, float[] pixels, byte[] labels)
    {
        if (pixels.Length != (long)count * height * width * channels)
            throw new ArgumentException($"{count} images of {height}×{width}×{channels} need {count * height * width * channels} values, got {pixels.Length}", nameof(pixels));
        if (labels.Length != count) throw new ArgumentException($"{count} images but {labels.Length} labels", nameof(labels));
        (Count, Height, Width, Channels, Pixels, Labels) = (count, height, width, channels, pixels, labels);
    }

    /// <summary>Loads a split of an IDX dataset (MNIST, Fashion-MNIST), finding or fetching its files.</summary>
    public static ImageDataset Load(DatasetInfo info, DatasetSplit split, PixelRange range, DatasetLocator locator)
    {
        bool test = split == DatasetSplit.Test;
        string imagesName = (test ? info.TestImages : info.TrainImages).FileName;
        var images = IdxFile.Parse(locator.Load(info, test ? info.TestImages : info.TrainImages), imagesName);
        var labels = IdxFile.Parse(locator.Load(info, test ? info.TestLabels : info.TrainLabels), (test ? info.TestLabels : info.TrainLabels).FileName);
        if (images.Dimensions.Length != 3) throw new InvalidDataException($"{imagesName}: expected images (count, rows, cols), got {images.Dimensions.Length} dimensions");
        if (labels.Count != images.Count) throw new InvalidDataException($"{info.Name}: {images.Count} images but {labels.Count} labels");
        var (start, count) = split switch
        {
            DatasetSplit.Train => (0, Math.Min(50_000, images.Count)),
            DatasetSplit.Validation => (50_000, images.Count - 50_000),
            _ => (0, images.Count),
        };
        if (count <= 0) throw new InvalidDataException($"{info.Name}: has only {images.Count} training images, too few for a validation split");
        return FromBytes(images, labels, start, count, range);
    }

    /// <summary>Converts records [start, start+count) of IDX byte images to floats.</summary>
    public static ImageDataset FromBytes(IdxArray images, IdxArray labels, int start, int count, PixelRange range)
    {
        int h = images.Dimensions[1], w = images.Dimensions.Length > 2 ? images.Dimensions[2] : 1, d = images.RecordSize;
        return FromPixelBytes(images.Values.AsSpan(start * d, count * d), labels.Values.AsSpan(start, count), h, w, d / (h * w), range);
    }

    /// <summary>Converts (count, channels·height·width) byte images, channel-planar, to floats in <paramref name="range"/>.</summary>
    public static ImageDataset FromPixelBytes(ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels, int height, int width, int channels, PixelRange range)
    {
        var values = new float[pixels.Length];
        float offset = range.Low(), scale = (1f - offset) / 255f;
        for (int i = 0; i < pixels.Length; i++) values[i] = pixels[i] * scale + offset;
        return new ImageDataset(labels.Length, height, width, channels, values, labels.ToArray());
    }

    /// <summary>The first <paramref name="count"/> images (for quick runs and tests).</summary>
    public ImageDataset Take(int count)
    {
        count = Math.Min(count, Count);
        return new ImageDataset(count, Height, Width, Channels, Pixels.AsSpan(0, count * Dimension).ToArray(), Labels.AsSpan(0, count).ToArray());
    }

    /// <summary>Mean of each pixel over the dataset (the generator's output bias is set from these).</summary>
    public float[] PixelMeans()
    {
        var sums = new double[Dimension];
        for (int i = 0; i < Count; i++)
            for (int j = 0; j < Dimension; j++) sums[j] += Pixels[(long)i * Dimension + j];
        return sums.Select(s => (float)(s / Count)).ToArray();
    }
}
