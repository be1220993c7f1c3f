using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Evaluation;

/// <summary>
/// An orthonormal basis Q (d×k) of the directions along which a set of points varies most, found by two steps of
/// subspace iteration on their covariance. Because Q's columns are orthonormal, ‖Qᵀx − Qᵀs‖ ≤ ‖x − s‖ for every pair:
/// distances between projections bound the full distances from below whatever Q is, and the better Q fits the points,
/// the tighter the bound (on MNIST, k = 64 keeps 86 % of the squared distance). The bound is what lets the Parzen
/// window skip samples that cannot matter.
/// </summary>
internal sealed class PrincipalSubspace
{
    private readonly float[] _basis;      // Q, (d, k) row-major
    private readonly float[] _meanImage;  // μ·Q, (k): projections are centred, which keeps their norms (and rounding) small

    /// <summary>Values a point.</summary>
    public int Dimension { get; }

    /// <summary>k, the projection's dimension.</summary>
    public int Rank { get; }

    private PrincipalSubspace(float[] basis, float[] meanImage, int d, int k) =>
        (_basis, _meanImage, Dimension, Rank) = (basis, meanImage, d, k);

    /// <summary>
    /// Fits a rank-k basis to the first <paramref name="fitRows"/> of the n rows (d values each). Start: the first k
    /// centred rows; each step multiplies by the covariance and re-orthonormalises (MathNet's thin QR, which returns
    /// orthonormal columns even for repeated or constant rows).
    /// </summary>
    public static PrincipalSubspace Fit(ReadOnlySpan<float> rows, int n, int d, int rank, int fitRows = 2000, int iterations = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (rank < 1 || rank > d) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"must be in [1, {d}]");
        int f = Math.Min(n, fitRows), k = rank;
        var mean = new double[d];
        for (int i = 0; i < f; i++)
        for (int c = 0; c < d; c++) mean[c] += rows[i * d + c];
        for (int c = 0; c < d; c++) mean[c] /= f;
        var centred = new float[f * d];
        for (int i = 0; i < f; i++)
        for (int c = 0; c < d; c++) centred[i * d + c] = (float)(rows[i * d + c] - mean[c]);
        var covariance = new float[d * d];
        Gemm.Multiply(true, false, d, d, f, 1f, centred, d, centred, d, 0f, covariance, d);

        // Q₀: the first k centred rows as columns (a column of zeros where there are fewer rows: QR fills it in).
        var start = new double[d * k]; // column-major (d, k), as MathNet builds it
        for (int j = 0; j < Math.Min(k, f); j++)
        for (int c = 0; c < d; c++) start[j * d + c] = centred[j * d + c];
        var q = Orthonormal(start, d, k);
        var product = new float[d * k];
        for (int step = 0; step < iterations; step++)
        {
            Gemm.Multiply(false, false, d, k, d, 1f, covariance, d, q, k, 0f, product, k); // C·Q, (d, k)
            for (int c = 0; c < d; c++)
            for (int j = 0; j < k; j++) start[j * d + c] = product[c * k + j];
            q = Orthonormal(start, d, k);
        }
        var meanImage = new float[k];
        for (int j = 0; j < k; j++)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += mean[c] * q[c * k + j];
            meanImage[j] = (float)s;
        }
        return new PrincipalSubspace(q, meanImage, d, k);
    }

    // The Q of a thin QR of the (d, k) column-major matrix, as a row-major (d, k) float array.
    private static float[] Orthonormal(double[] columnMajor, int d, int k)
    {
        var qr = Matrix<double>.Build.DenseOfColumnMajor(d, k, columnMajor).QR(QRMethod.Thin).Q;
        var q = new float[d * k];
        for (int c = 0; c < d; c++)
        for (int j = 0; j < k; j++) q[c * k + j] = (float)qr[c, j];
        return q;
    }

    /// <summary>(m, k) = (rows − μ)·Q for m rows of d values.</summary>
    public float[] Project(ReadOnlySpan<float> rows, int m)
    {
        var result = new float[m * Rank];
        Gemm.Multiply(false, false, m, Rank, Dimension, 1f, rows, Dimension, _basis, Rank, 0f, result, Rank);
        for (int i = 0; i < m; i++)
        for (int j = 0; j < Rank; j++) result[i * Rank + j] -= _meanImage[j];
        return result;
    }
}
