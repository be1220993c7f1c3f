using SharpGan.IO;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Sample files brought from elsewhere (.npy, IDX) and the .npy files `sharpgan sample` writes.</summary>
public sealed class SampleFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-samplefile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string NumpyFixture => Path.Combine(AppContext.BaseDirectory, "fixtures", "samples_numpy.npy");

    // The fixture is np.save of float32 (3, 784) with value i = i / 2351 (tests/fixtures/make_fixtures.py).
    private static float[] FixtureValues() => Enumerable.Range(0, 3 * 784).Select(i => (float)(i / 2351.0)).ToArray();

    [Fact]
    public void ReadsAnArrayNumPyWrote()
    {
        var (count, dim, values) = SampleFile.Read(NumpyFixture, 784);
        Assert.Equal((3, 784), (count, dim));
        Assert.Equal(FixtureValues(), values);
    }

    [Fact]
    public void WritesTheBytesNumPyWrites()
    {
        string path = Path.Combine(_dir, "ours.npy");
        SampleFile.WriteNpy(path, FixtureValues(), 3, 784);
        Assert.Equal(File.ReadAllBytes(NumpyFixture), File.ReadAllBytes(path));
    }

    [Fact]
    public void MapsTheMinusOneToOneRangeOntoZeroOne()
    {
        string path = Path.Combine(_dir, "tanh.npy");
        SampleFile.WriteNpy(path, [-1f, 0f, 1f, 0.5f], 2, 2, low: -1f);
        var (count, dim, values) = SampleFile.Read(path, 2);
        Assert.Equal((2, 2), (count, dim));
        Assert.Equal([0f, 0.5f, 1f, 0.75f], values);
    }

    [Theory]
    [InlineData("f8", "dtype <f8 is not float32")]
    [InlineData("fortran", "Fortran-ordered")]
    [InlineData("truncated", "data bytes")]
    [InlineData("magic", "bad magic")]
    [InlineData("range", "outside [0, 1]")]
    public void RefusesBadNpyFilesNamingTheFault(string fault, string message)
    {
        byte[] bytes = File.ReadAllBytes(NumpyFixture);
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, 118);
        switch (fault)
        {
            case "f8": bytes = Replace(bytes, header, header.Replace("<f4", "<f8")); break;
            case "fortran": bytes = Replace(bytes, header, header.Replace("False", "True ")); break;
            case "truncated": bytes = bytes[..^4]; break;
            case "magic": bytes[1] = (byte)'X'; break;
            case "range": BitConverter.GetBytes(1.5f).CopyTo(bytes, 128); break;
        }
        string path = Path.Combine(_dir, fault + ".npy");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => SampleFile.Read(path, 784));
        Assert.Contains(message, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void RefusesSamplesOfAnotherDimension()
    {
        var error = Assert.Throws<InvalidDataException>(() => SampleFile.Read(NumpyFixture, 3072));
        Assert.Contains("784 values each, expected 3072", error.Message);
    }

    private static byte[] Replace(byte[] bytes, string oldHeader, string newHeader)
    {
        Assert.Equal(oldHeader.Length, newHeader.Length);
        var copy = (byte[])bytes.Clone();
        System.Text.Encoding.ASCII.GetBytes(newHeader).CopyTo(copy, 10);
        return copy;
    }
}
