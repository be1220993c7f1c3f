namespace SharpGan.Imaging;

/// <summary>Tiles equally sized images into one picture with a 2-pixel border, as PNG.</summary>
public static class ImageGrid
{
    private const int Gap = 2;

    /// <summary>
    /// images is (count, channels·height·width) channel-planar (NCHW, as the networks produce) with values in
    /// [low, high]; they are laid out row by row, <paramref name="columns"/> per row.
    /// </summary>
    public static byte[] Render(ReadOnlySpan<float> images, int count, int height, int width, int channels, int columns, float low, float high, out int gridWidth, out int gridHeight)
        => Render(images, count, height, width, channels, columns, low, high, -1, out gridWidth, out gridHeight);

    /// <summary>
    /// As above; <paramref name="separatedColumn"/> (≥ 0) gets a wide white gap before it, to set a column
    /// apart (Figure 2's nearest-training-example column).
    /// </summary>
    public static byte[] Render(ReadOnlySpan<float> images, int count, int height, int width, int channels, int columns, float low, float high, int separatedColumn, out int gridWidth, out int gridHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        int d = height * width * channels;
        if (images.Length < count * d) throw new ArgumentException($"{count} images of {channels}×{height}×{width} need {count * d} values, got {images.Length}", nameof(images));
        int rows = (count + columns - 1) / columns;
        int extra = separatedColumn >= 0 ? 3 * Gap : 0;
        gridWidth = columns * (width + Gap) + Gap + extra;
        gridHeight = rows * (height + Gap) + Gap;
        var canvas = new byte[gridWidth * gridHeight * channels];
        Array.Fill(canvas, (byte)255); // white borders
        float scale = 255f / (high - low);
        for (int n = 0; n < count; n++)
        {
            int column = n % columns;
            int top = Gap + n / columns * (height + Gap), left = Gap + column * (width + Gap) + (separatedColumn >= 0 && column >= separatedColumn ? extra : 0);
            for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = images[n * d + (c * height + y) * width + x];
                int value = float.IsNaN(v) ? 0 : (int)MathF.Round((v - low) * scale);
                canvas[((top + y) * gridWidth + left + x) * channels + c] = (byte)Math.Clamp(value, 0, 255);
            }
        }
        return canvas;
    }

    /// <summary>Renders and writes a PNG grid.</summary>
    public static void WritePng(string path, ReadOnlySpan<float> images, int count, int height, int width, int channels, int columns, float low = 0f, float high = 1f, int separatedColumn = -1)
    {
        var canvas = Render(images, count, height, width, channels, columns, low, high, separatedColumn, out int w, out int h);
        PngWriter.Write(path, canvas, w, h, channels);
    }
}
