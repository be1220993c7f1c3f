using System.Buffers.Binary;
using System.IO.Compression;
using SharpGan.Imaging;
using Xunit;

namespace SharpGan.Tests;

public class ImagingTests
{
    [Fact]
    public void PngDecodesBackToThePixels()
    {
        var pixels = Enumerable.Range(0, 5 * 3).Select(i => (byte)(i * 17)).ToArray();
        byte[] png = PngWriter.Encode(pixels, 5, 3, 1);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        int idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        Assert.Equal("IDAT", System.Text.Encoding.ASCII.GetString(png, 37, 4));
        using var z = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var rows = raw.ToArray();
        Assert.Equal(3 * 6, rows.Length);
        for (int y = 0; y < 3; y++)
        {
            Assert.Equal(0, rows[y * 6]);
            Assert.Equal(pixels[(y * 5)..(y * 5 + 5)], rows[(y * 6 + 1)..(y * 6 + 6)]);
        }
    }

    [Fact]
    public void GridPlacesEachImageInItsCell()
    {
        var images = new float[4 * 2 * 2];
        for (int n = 0; n < 4; n++) Array.Fill(images, n / 3f, n * 4, 4);
        var canvas = ImageGrid.Render(images, 4, 2, 2, 1, 2, 0f, 1f, out int w, out int h);
        Assert.Equal((2 * 4 + 2, 2 * 4 + 2), (w, h));
        Assert.Equal(255, canvas[0]);                    // border
        Assert.Equal(0, canvas[2 * w + 2]);              // image 0 = 0
        Assert.Equal(85, canvas[2 * w + 6]);             // image 1 = 1/3
        Assert.Equal(170, canvas[6 * w + 2]);            // image 2 = 2/3
        Assert.Equal(255, canvas[7 * w + 7]);            // image 3 = 1
    }
}
