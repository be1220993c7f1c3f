namespace SharpGan.Imaging;

/// <summary>
/// How a grid is drawn, as torchvision's save_image: <paramref name="Padding"/> pixels between and around the images
/// filled with <paramref name="PadValue"/> (0 black … 1 white), and each image pixel drawn as a
/// <paramref name="Scale"/>×<paramref name="Scale"/> block (nearest neighbour: 28×28 digits are hard to see otherwise).
/// </summary>
public sealed record GridStyle(int Scale = 1, int Padding = 2, float PadValue = 1f)
{
    /// <summary>The largest scale and padding accepted (a 100×100 grid of 28-pixel images at ×16 is 45 000 pixels wide).</summary>
    public const int MaxScale = 16, MaxPadding = 64;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values outside their ranges.</summary>
    public void Validate()
    {
        if (Scale is < 1 or > MaxScale) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, $"scale must be in [1, {MaxScale}]");
        if (Padding is < 0 or > MaxPadding) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, $"padding must be in [0, {MaxPadding}]");
        if (!(PadValue >= 0f && PadValue <= 1f)) throw new ArgumentOutOfRangeException(nameof(PadValue), PadValue, "pad value must be in [0, 1]");
    }
}

/// <summary>Tiles equally sized images into one picture, as PNG.</summary>
public static class ImageGrid
{
    /// <summary>
    /// images is (count, channels·height·width) channel-planar (NCHW, as the networks produce) with values in
    /// [low, high]; they are laid out row by row, <paramref name="columns"/> per row. <paramref name="separatedColumn"/>
    /// (≥ 0) gets three paddings' gap before it, to set a column apart (Figure 2's nearest-training-example column).
    /// Returns interleaved bytes (gridHeight, gridWidth, channels).
    /// </summary>
    public static byte[] Render(ReadOnlySpan<float> images, int count, int height, int width, int channels, int columns, float low, float high,
        out int gridWidth, out int gridHeight, int separatedColumn = -1, GridStyle? style = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        style ??= new GridStyle();
        style.Validate();
        int d = height * width * channels, scale = style.Scale, gap = style.Padding;
        if (images.Length < count * d) throw new ArgumentException($"{count} images of {channels}×{height}×{width} need {count * d} values, got {images.Length}", nameof(images));
        int rows = (count + columns - 1) / columns, cellWidth = width * scale, cellHeight = height * scale;
        int extra = separatedColumn >= 0 ? 3 * Math.Max(gap, 2) : 0;
        long pixels = (long)(columns * (cellWidth + gap) + gap + extra) * (rows * (cellHeight + gap) + gap);
        if (pixels * channels > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(style), $"a {columns}×{rows} grid at scale {scale} would be {pixels:N0} pixels; use a smaller --scale or fewer images");
        gridWidth = columns * (cellWidth + gap) + gap + extra;
        gridHeight = rows * (cellHeight + gap) + gap;
        var canvas = new byte[gridWidth * gridHeight * channels];
        Array.Fill(canvas, (byte)MathF.Round(style.PadValue * 255));
        float toByte = 255f / (high - low);
        for (int n = 0; n < count; n++)
        {
            int column = n % columns;
            int top = gap + n / columns * (cellHeight + gap), left = gap + column * (cellWidth + gap) + (separatedColumn >= 0 && column >= separatedColumn ? extra : 0);
            for (int c = 0; c < channels; c++)
            for (int y = 0; y < cellHeight; y++)
            for (int x = 0; x < cellWidth; x++)
            {
                float v = images[n * d + (c * height + y / scale) * width + x / scale];
                int value = float.IsNaN(v) ? 0 : (int)MathF.Round((v - low) * toByte);
                canvas[((top + y) * gridWidth + left + x) * channels + c] = (byte)Math.Clamp(value, 0, 255);
            }
        }
        return canvas;
    }

    /// <summary>Renders and writes a PNG grid (see <see cref="Render"/>).</summary>
    public static void WritePng(string path, ReadOnlySpan<float> images, int count, int height, int width, int channels, int columns, float low = 0f, float high = 1f,
        int separatedColumn = -1, GridStyle? style = null)
    {
        var canvas = Render(images, count, height, width, channels, columns, low, high, out int w, out int h, separatedColumn, style);
        PngWriter.Write(path, canvas, w, h, channels);
    }
}
