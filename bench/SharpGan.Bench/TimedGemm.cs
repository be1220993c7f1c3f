using System.Diagnostics;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Bench;

/// <summary>Wraps a backend and accumulates the time spent inside it, to split a step into GEMM and the rest.</summary>
internal sealed class TimedGemm(IGemmBackend inner) : IGemmBackend
{
    public long Ticks { get; set; }
    public int Calls { get; set; }

    /// <summary>Floating-point operations of the products run (2·m·n·k each).</summary>
    public double Flops { get; set; }

    /// <summary>Time and calls by shape (op, m, n, k), to see which products fall short of the peak.</summary>
    public Dictionary<(string Op, int M, int N, int K), (long Ticks, int Calls)> ByShape { get; } = [];

    public string Name => inner.Name;

    private static readonly string[] OpNames = ["NN", "NT", "TN", "TT"]; // no string built per call: nothing to collect mid-run

    public void SgemmBias(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        long start = Stopwatch.GetTimestamp();
        inner.SgemmBias(transA, transB, m, n, k, a, lda, b, ldb, bias, c, ldc);
        Count(transA, transB, m, n, k, Stopwatch.GetTimestamp() - start);
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Count(transA, transB, m, n, k, Stopwatch.GetTimestamp() - start);
    }

    private void Count(bool transA, bool transB, int m, int n, int k, long ticks)
    {
        Ticks += ticks;
        Calls++;
        var key = (OpNames[(transA ? 2 : 0) + (transB ? 1 : 0)], m, n, k);
        var (t, c0) = ByShape.GetValueOrDefault(key);
        ByShape[key] = (t + ticks, c0 + 1);
        Flops += 2.0 * m * n * k;
    }
}
