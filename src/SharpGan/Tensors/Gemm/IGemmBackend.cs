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

    /// <summary>
    /// Computes C = op(A)·op(B) + bias, the bias (n values) added to every row after the product is summed (a linear
    /// layer's forward). This default adds it in a pass over C; the managed backend adds it as it stores C.
    /// </summary>
    void SgemmBias(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias[..n], row);
        }
    }
}
