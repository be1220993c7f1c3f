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

    [Fact]
    public void ChartAxesStayWithinWhatTheQuantityCanTake()
    {
        // D outputs at 0 and 1: 5 % padding would show −0.05 … 1.05; a probability's axis stops at 0 and 1.
        var d = new ChartPanel("D", "mean D", [new ChartSeries("D(x)", "#2ca02c", [(0, 0.0), (1, 1.0)])]) { Possible = (0, 1) };
        Assert.Equal((0.0, 1.0), Charts.YLimits(d));
        var loss = new ChartPanel("loss", "loss", [new ChartSeries("D loss", "#1f77b4", [(0, 0.01), (1, 2.0)])]) { Possible = (0, double.PositiveInfinity) };
        var (low, high) = Charts.YLimits(loss);
        Assert.Equal(0.0, low);
        Assert.True(high > 2.0);
        var unbounded = new ChartPanel("ll", "nats", [new ChartSeries("LL", "#8c564b", [(0, -10.0), (1, 10.0)])]);
        Assert.Equal((-11.0, 11.0), Charts.YLimits(unbounded));
    }

    [Fact]
    public void ChartsAreWrittenAsPngAndSvg()
    {
        string dir = Directory.CreateTempSubdirectory("sharpgan-chart-").FullName;
        try
        {
            var panel = new ChartPanel("Losses", "loss", [new ChartSeries("D loss", "#1f77b4", [(0, 1.0), (1, 0.7), (2, 0.69)])], [(Math.Log(2), "ln 2")]);
            string png = Path.Combine(dir, "c.png"), svg = Path.Combine(dir, "c.svg");
            Charts.WriteLines("epoch", [panel, panel with { Title = "again" }], png, svg);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
            string text = File.ReadAllText(svg);
            Assert.StartsWith("<?xml", text);
            Assert.Contains("Losses", text);
            Assert.Contains("again", text);
            Charts.WriteScatter([new ScatterPanel("step 1", "0/8 modes", [(0f, 0f)], [(1f, 1f)])], 3, png);
            Assert.Throws<ArgumentException>(() => Charts.WriteLines("epoch", [panel], Path.Combine(dir, "c.jpg")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void GridsScaleEachPixelAndPadLikeSaveImage()
    {
        // One 2×2 image [[0, 1], [1, 0]] at scale 2 with 1 black pixel of padding: a 6×6 picture.
        var canvas = ImageGrid.Render([0f, 1f, 1f, 0f], 1, 2, 2, 1, 1, 0f, 1f, out int w, out int h, style: new GridStyle(Scale: 2, Padding: 1, PadValue: 0f));
        Assert.Equal((6, 6), (w, h));
        byte[] expected =
        [
            0, 0, 0, 0, 0, 0,
            0, 0, 0, 255, 255, 0,
            0, 0, 0, 255, 255, 0,
            0, 255, 255, 0, 0, 0,
            0, 255, 255, 0, 0, 0,
            0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, canvas);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Render([0f], 1, 1, 1, 1, 1, 0f, 1f, out _, out _, style: new GridStyle(Scale: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Render([0f], 1, 1, 1, 1, 1, 0f, 1f, out _, out _, style: new GridStyle(PadValue: 2f)));
    }
}
