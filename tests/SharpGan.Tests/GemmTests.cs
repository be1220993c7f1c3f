using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using Xunit;

namespace SharpGan.Tests;

public class GemmTests
{
    public static IEnumerable<object[]> Cases()
    {
        // (m, k, n): odd sizes that exercise every edge path (a last column sliver of 5, 16 and 18 of 32), and the paper's MLP shapes.
        int[][] shapes = [[1, 1, 1], [7, 13, 5], [6, 32, 32], [9, 20, 50], [5, 40, 16], [13, 300, 37], [100, 784, 1200], [100, 1200, 784], [1200, 100, 784]];
        foreach (string backend in new[] { "managed", "openblas" })
        foreach (var s in shapes)
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
            yield return [backend, s[0], s[1], s[2], ta, tb];
    }

    private static IGemmBackend Backend(string name) => name == "managed"
        ? Gemm.Managed
        : OptionalNative.OpenBlas();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void MatchesNaiveTripleLoop(string backendName, int m, int k, int n, bool transA, bool transB)
    {
        var rng = new Rng((ulong)(m * 31 + k * 7 + n));
        int lda = transA ? m : k, ldb = transB ? k : n;
        var a = new float[m * k]; var b = new float[k * n];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var expected = new float[m * n]; var actual = new float[m * n];
        new ReferenceGemm().Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, expected, n);
        Array.Fill(actual, float.NaN); // beta = 0 must ignore whatever C held
        Backend(backendName).Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, actual, n);
        // Sums of k products of U(−1,1) values: float32 error grows like √k·ε relative to the terms.
        TestUtil.AssertClose(expected, actual, 1e-4 * Math.Sqrt(k), $"{backendName} {m}×{k}×{n} tA={transA} tB={transB}");
    }

    [SkippableTheory]
    [InlineData("managed")]
    [InlineData("openblas")]
    public void AlphaBetaAndLeadingDimensions(string backendName)
    {
        // C (5×4 inside a 5×9 buffer) = 0.5·A·B + 2·C with A 5×3 inside a 5×6 buffer.
        var rng = new Rng(3);
        int m = 5, k = 3, n = 4, lda = 6, ldb = 7, ldc = 9;
        var a = new float[m * lda]; var b = new float[k * ldb]; var c0 = new float[m * ldc];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c0, -1, 1);
        var expected = (float[])c0.Clone(); var actual = (float[])c0.Clone();
        new ReferenceGemm().Sgemm(false, false, m, n, k, 0.5f, a, lda, b, ldb, 2f, expected, ldc);
        Backend(backendName).Sgemm(false, false, m, n, k, 0.5f, a, lda, b, ldb, 2f, actual, ldc);
        TestUtil.AssertClose(expected, actual, 1e-5, backendName);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ManagedPackingOfStridedOperandsMatchesReference(bool transA, bool transB)
    {
        // Whole 6-row slivers of A packed by vectors (8-step blocks and a ragged k tail), a partial last sliver, 8×8
        // transposed B blocks and their tails, all read from buffers wider than the matrix (odd leading dimensions),
        // and a last A block that fills the packing buffer (MC = 120 rows). On 2 threads: A packed once for all column
        // tiles (several k slices and row blocks, the last ones partial).
        var rng = new Rng(17);
        int saved = Engine.Threads;
        Engine.Threads = 2;
        try
        {
            foreach (var (m, k, n) in new[] { (13, 37, 41), (120, 300, 70), (127, 517, 33), (250, 600, 100) })
            {
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 1;
                var a = new float[(transA ? k : m) * lda]; var b = new float[(transB ? n : k) * ldb]; var c0 = new float[m * ldc];
                rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c0, -1, 1);
                var expected = (float[])c0.Clone(); var actual = (float[])c0.Clone();
                new ReferenceGemm().Sgemm(transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 2f, expected, ldc);
                Gemm.Managed.Sgemm(transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 2f, actual, ldc);
                TestUtil.AssertClose(expected, actual, 1e-4, $"{m}×{k}×{n}");
            }
        }
        finally { Engine.Threads = saved; }
    }

    [Fact]
    public void ManagedResultDoesNotDependOnThreadCount()
    {
        var rng = new Rng(11);
        int m = 100, k = 784, n = 1200;
        var a = new float[m * k]; var b = new float[n * k];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var one = new float[m * n]; var two = new float[m * n];
        int saved = Engine.Threads;
        try
        {
            Engine.Threads = 1; Gemm.Managed.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, one, n);
            Engine.Threads = 2; Gemm.Managed.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, two, n);
        }
        finally { Engine.Threads = saved; }
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ANarrowProductRunTransposedGivesTheBitsOfTheProductRunAsItIs(bool transA, bool transB)
    {
        // A C of one narrow sliver over a long k runs as its transpose on 2 threads (a one-channel convolution's weight
        // gradient, 64 × 16, here over 9 K slices; odd sizes), and so does a long product with a transposed B four times
        // wider than A (the last two shapes, with tB). alpha and beta both act (neither a power of two, so a product
        // rounded differently at a full tile than at an edge would show), into a C wider than the product (ldc > n).
        var rng = new Rng(12);
        foreach (var (m, n, k) in new[] { (64, 16, 2100), (100, 16, 1024), (77, 13, 1100), (41, 9, 1500), (32, 200, 1100), (16, 70, 1030) })
            AssertTheSwitchKeepsTheBits(ref ManagedGemm.TransposedRuns, transA, transB, m, n, k, (transA ? m : k) + 3, (transB ? k : n) + 2, n + 5, rng);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ReadingAWhereItLiesGivesTheBitsOfPackingIt(bool transA, bool transB)
    {
        // The kernels read op(A) from A itself (rows of A, or columns of a transposed A) and pack only a ragged last
        // sliver; packed, every element is the same sum in the same order. Shapes: the paper G's first weight gradient,
        // several K slices with a ragged row sliver, several row blocks with a ragged one, fewer than six rows, and a
        // transposed A 1 KiB-aligned under many column slivers (packed either way). alpha and beta both act.
        var rng = new Rng(18);
        foreach (var (m, n, k, pad) in new[] { (1200, 100, 100, 0), (100, 100, 1200, 3), (257, 300, 300, 1), (7, 50, 13, 2), (5, 37, 3, 0), (512, 300, 300, 0) })
            AssertTheSwitchKeepsTheBits(ref ManagedGemm.DirectReadsOfA, transA, transB, m, n, k, (transA ? m : k) + pad, (transB ? k : n) + 2, n + 5, rng);
    }

    // C = 0.7·op(A)·op(B) + 0.3·C (neither a power of two, so a product rounded differently at a full tile than at an
    // edge would show) on random operands in buffers wider than the matrices: with a ManagedGemm switch off (at the
    // current thread count), then on at 1 and 2 threads, the same bits every time; and close to the reference.
    private static void AssertTheSwitchKeepsTheBits(ref bool feature, bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc, Rng rng)
    {
        var a = new float[(transA ? k : m) * lda]; var b = new float[(transB ? n : k) * ldb]; var c0 = new float[m * ldc];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c0, -1, 1);
        var (off, expected) = ((float[])c0.Clone(), (float[])c0.Clone());
        try
        {
            feature = false;
            Gemm.Managed.Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, off, ldc);
            feature = true;
            TestUtil.AtOneAndTwoThreads(() =>
            {
                var on = (float[])c0.Clone();
                Gemm.Managed.Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, on, ldc);
                Assert.True(off.AsSpan().SequenceEqual(on), $"{m}×{k}×{n} tA={transA} tB={transB} threads={Engine.Threads}");
            });
        }
        finally { feature = true; }
        new ReferenceGemm().Sgemm(transA, transB, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, expected, ldc);
        TestUtil.AssertClose(expected, off, 1e-3, $"{m}×{k}×{n}");
    }

    [Theory]
    [InlineData(7, 13, 5)]
    [InlineData(13, 300, 37)]   // two K slices, a ragged last one
    [InlineData(500, 784, 333)] // Parzen's block against a sample set (4 K slices, ragged columns)
    [InlineData(1, 1, 1)]
    public void APackedRightMatrixGivesTheUnpackedProductBitForBit(int m, int k, int n)
    {
        var rng = new Rng((ulong)(m + 3 * k + 7 * n));
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        {
            int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
            var a = new float[(transA ? k : m) * lda]; var b = new float[(transB ? n : k) * ldb]; var c0 = new float[m * ldc];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c0, -1, 1);
            var expected = (float[])c0.Clone(); var actual = (float[])c0.Clone();
            Gemm.Managed.Sgemm(transA, transB, m, n, k, -2f, a, lda, b, ldb, 0.5f, expected, ldc);
            var packed = Gemm.PackRight(transB, k, n, b, ldb);
            Array.Clear(b); // the packed copy stands alone
            Gemm.MultiplyPacked(transA, m, -2f, a, lda, packed, 0.5f, actual, ldc);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{m}×{k}×{n} tA={transA} tB={transB}");
        }
    }

    [SkippableTheory]
    [InlineData("managed")]
    [InlineData("openblas")]
    public void ABiasAddedAsTheProductIsStoredEqualsAPassAfterIt(string backendName)
    {
        var backend = Backend(backendName);
        // One and several k slices; last row slivers of 6 and fewer; last column slivers of 32, 18, 16 and 5; a product
        // run as its transpose (32 × 200 over k = 1 100), whose bias is added as C is copied back.
        foreach (var (m, n, k) in new[] { (100, 1200, 1200), (7, 50, 300), (13, 784, 100), (5, 37, 1), (1, 16, 3), (9, 5, 0), (32, 200, 1100) })
        {
            var rng = new Rng((ulong)(m + 3 * n + 7 * k));
            var (a, b, bias) = (new float[m * k], new float[n * k], new float[n]);
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(bias, -1, 1);
            var expected = new float[m * n];
            int ld = Math.Max(1, k);
            backend.Sgemm(false, true, m, n, k, 1f, a, ld, b, ld, 0f, expected, n);
            for (int i = 0; i < m; i++) System.Numerics.Tensors.TensorPrimitives.Add(expected.AsSpan(i * n, n), bias, expected.AsSpan(i * n, n));
            var fused = Enumerable.Repeat(float.NaN, m * n).ToArray(); // C is write-only
            var saved = Gemm.Backend;
            try
            {
                Gemm.Backend = backend;
                Gemm.MultiplyBias(false, true, m, n, k, a, ld, b, ld, bias, fused, n);
            }
            finally { Gemm.Backend = saved; }
            Assert.True(expected.AsSpan().SequenceEqual(fused), $"{backendName} {m}×{n}×{k}");
        }
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyBias(false, true, 2, 3, 4, new float[8], 4, new float[12], 4, new float[2], new float[6], 3));
    }

    [Fact]
    public void RejectsBuffersTooSmallForTheirShape()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("a holds 15 elements", ex.Message);
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[16], 3, new float[16], 4, 0f, new float[16], 4));
    }

    [SkippableFact]
    public void BackendCanBeChosenByName()
    {
        Assert.Equal("managed", Gemm.FromName("managed").Name);
        Assert.Throws<ArgumentException>(() => Gemm.FromName("cuda"));
        OptionalNative.OpenBlas();
        Assert.Equal("openblas", Gemm.FromName("openblas").Name);
    }
}
