namespace SharpGan.Tensors.Gemm;

/// <summary>
/// Single-precision GEMM, row-major: C(m×n) = alpha·op(A)·op(B) + beta·C, where op(A) is m×k and op(B) is k×n.
/// A stored transposed is k×m with leading dimension lda ≥ m; otherwise m×k with lda ≥ k (likewise B).
/// When beta is 0, C is write-only: whatever it held (NaN included) is ignored.
/// Arguments are validated by <see cref="Gemm.Multiply"/> before a backend sees them.
/// </summary>
public interface IGemmBackend
{
    /// <summary>Short name ("managed", "openblas", "reference").</summary>
    string Name { get; }

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C.</summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}
