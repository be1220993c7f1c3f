namespace SharpGan.Tensors.Gemm;

/// <summary>The naive triple loop in double precision: the yardstick the fast backends are tested against.</summary>
public sealed class ReferenceGemm : IGemmBackend
{
    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * lda + i] : a[i * lda + p];
                float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                sum += (double)av * bv;
            }
            double prior = beta == 0 ? 0 : (double)beta * c[i * ldc + j];
            c[i * ldc + j] = (float)(alpha * sum + prior);
        }
    }
}
