using SharpGan.Tensors.Gemm;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Optional pieces a user's machine may lack (OpenBLAS, Debian's Fashion-MNIST package). Without them a test
/// reports "skipped: why"; under CI (CI=true, which .ci/run sets) the piece is installed, so its absence fails.
/// </summary>
internal static class OptionalNative
{
    private static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, under CI, fails) unless <paramref name="present"/>.</summary>
    public static void Require(bool present, string why)
    {
        if (present) return;
        if (UnderCi) Assert.Fail($"{why} (CI=true: .ci/run installs it, so it must be here)");
        Skip.If(true, why);
    }

    /// <summary>The OpenBLAS backend, or a skip (fail under CI).</summary>
    public static IGemmBackend OpenBlas()
    {
        Require(Gemm.OpenBlasOrNull is not null, "libopenblas could not be loaded (install libopenblas0-pthread to test the OpenBLAS backend)");
        return Gemm.OpenBlasOrNull!;
    }

    /// <summary>Debian's Fashion-MNIST folder, or a skip (fail under CI).</summary>
    public static void FashionMnistPackage() =>
        Require(File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
            "Debian's dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)");
}
