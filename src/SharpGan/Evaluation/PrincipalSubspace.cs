using System.Numerics;
using System.Runtime.CompilerServices;
using DoubleMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
using Symmetricity = MathNet.Numerics.LinearAlgebra.Symmetricity;
using SharpGan.Tensors.Gemm;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Evaluation;

/// <summary>
/// An orthonormal basis Q (d×k) of the directions along which a set of points varies most, found by subspace
/// iteration on their covariance, its columns ordered by the variance along them. ‖Qᵀv‖ ≤ ‖v‖ for every v (Q is
/// orthonormal columns turned by an orthogonal matrix; where the points span fewer than k directions some of those
/// columns are zero, which only shortens Qᵀv), so ‖Qᵀx − Qᵀs‖ ≤ ‖x − s‖ for every pair: distances between projections
/// bound the full distances from below whatever Q is, and the better Q fits the points, the tighter the bound (on MNIST
/// the first 64 columns keep 86 % of the squared distance between images). The bound is what lets the Parzen window
/// skip samples that cannot matter.
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
    /// Fits a rank-k basis to the first <paramref name="fitRows"/> of the n rows (d values each): the covariance C of
    /// those rows; Q = orth(C·X₀ᵀ) with X₀ the first k centred rows, then <paramref name="iterations"/> − 1 more steps
    /// Q = orth(C·Q); finally the columns are turned into C's directions within that subspace, most variance first
    /// (Rayleigh–Ritz: the eigenvectors of QᵀCQ), so that the first j columns are its best j-dimensional part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a one-shot command runs these loops once: no time for tiering
    public static PrincipalSubspace Fit(ReadOnlySpan<float> rows, int n, int d, int rank, int fitRows = 2000, int iterations = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (rank < 1 || rank > d) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"must be in [1, {d}]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
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

        var q = new float[d * k];
        // C·X₀ᵀ: the first k centred rows, one step along; where there are fewer rows than k the rest stay zero.
        int startRows = Math.Min(k, f);
        var product = new float[d * k];
        Gemm.Multiply(false, true, d, startRows, d, 1f, covariance, d, centred, d, 0f, product, k);
        Orthonormalize(product, d, k, q);
        for (int step = 1; step < iterations; step++)
        {
            Gemm.Multiply(false, false, d, k, d, 1f, covariance, d, q, k, 0f, product, k); // C·Q, (d, k)
            Orthonormalize(product, d, k, q);
        }

        // Rayleigh–Ritz: H = Qᵀ·C·Q (k×k, symmetrised), its eigenvectors V by descending eigenvalue, Q ← Q·V.
        Gemm.Multiply(false, false, d, k, d, 1f, covariance, d, q, k, 0f, product, k);
        var small = new float[k * k];
        Gemm.Multiply(true, false, k, k, d, 1f, q, k, product, k, 0f, small, k);
        var evd = DoubleMatrix.Build.Dense(k, k, (i, j) => 0.5 * (small[i * k + j] + small[j * k + i])).Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, k).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var rotation = new float[k * k];
        for (int t = 0; t < k; t++)
        for (int j = 0; j < k; j++) rotation[t * k + j] = (float)evd.EigenVectors[t, order[j]];
        var basis = new float[d * k];
        Gemm.Multiply(false, false, d, k, k, 1f, q, k, rotation, k, 0f, basis, k);

        var meanImage = new float[k];
        for (int j = 0; j < k; j++)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += mean[c] * basis[c * k + j];
            meanImage[j] = (float)s;
        }
        return new PrincipalSubspace(basis, meanImage, d, k);
    }

    /// <summary>
    /// q (d, k) = orthonormal columns spanning those of a (d, k), both row-major: Gram–Schmidt in double, each column
    /// made orthogonal to the ones before it twice (once is not enough in floating point when columns are nearly
    /// parallel, as the steps of subspace iteration make them). A column with nothing left of it (repeated or constant
    /// points) becomes zero: a zero direction adds nothing to a projected distance, so the bound still holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Orthonormalize(float[] a, int d, int k, float[] q)
    {
        var columns = new double[k][];
        for (int j = 0; j < k; j++)
        {
            var v = new double[d];
            for (int c = 0; c < d; c++) v[c] = a[c * k + j];
            double original = Math.Sqrt(Dot(v, v));
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < j; i++) SubtractMultiple(v, Dot(columns[i], v), columns[i]);
            double norm = Math.Sqrt(Dot(v, v));
            // Less than a millionth of the column left: what remains is rounding, not a direction.
            double inverse = norm > 1e-6 * original && norm > 0 ? 1 / norm : 0;
            for (int c = 0; c < d; c++) v[c] *= inverse;
            columns[j] = v;
            for (int c = 0; c < d; c++) q[c * k + j] = (float)v[c];
        }
    }

    // Plain vector loops rather than TensorPrimitives' generic double paths, whose first use costs more JIT time than
    // the whole orthonormalisation takes.
    private static double Dot(double[] x, double[] y)
    {
        int w = Vector<double>.Count, i = 0;
        var sum = Vector<double>.Zero;
        for (; i <= x.Length - w; i += w) sum += new Vector<double>(x, i) * new Vector<double>(y, i);
        double total = Vector.Sum(sum);
        for (; i < x.Length; i++) total += x[i] * y[i];
        return total;
    }

    // v −= r·u
    private static void SubtractMultiple(double[] v, double r, double[] u)
    {
        int w = Vector<double>.Count, i = 0;
        var scale = new Vector<double>(r);
        for (; i <= v.Length - w; i += w) (new Vector<double>(v, i) - scale * new Vector<double>(u, i)).CopyTo(v, i);
        for (; i < v.Length; i++) v[i] -= r * u[i];
    }

    /// <summary>(m, k) = (rows − μ)·Q for m rows of d values.</summary>
    public float[] Project(ReadOnlySpan<float> rows, int m)
    {
        var result = new float[m * Rank];
        Gemm.Multiply(false, false, m, Rank, Dimension, 1f, rows, Dimension, _basis, Rank, 0f, result, Rank);
        for (int i = 0; i < m; i++) TensorPrimitives.Subtract(result.AsSpan(i * Rank, Rank), _meanImage, result.AsSpan(i * Rank, Rank));
        return result;
    }
}
