namespace SharpGan.Evaluation;

/// <summary>Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations, in double precision.</summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the symmetric n×n matrix a (row-major, not modified): a = V·diag(values)·Vᵀ, V's columns the
    /// eigenvectors. Sweeps until the off-diagonal mass is below 1e-22 of the total (or 100 sweeps).
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"need an {n}×{n} matrix, got {a.Length} values", nameof(a));
        var m = a.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double total = 0;
        foreach (double x in m) total += x * x;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            if (off <= 1e-22 * Math.Max(total, 1e-300)) break;
            for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
            {
                double apq = m[p * n + q];
                if (Math.Abs(apq) < 1e-300) continue;
                double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) // rotate columns p, q
                {
                    double mkp = m[k * n + p], mkq = m[k * n + q];
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for (int k = 0; k < n; k++) // rotate rows p, q
                {
                    double mpk = m[p * n + k], mqk = m[q * n + k];
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for (int k = 0; k < n; k++)
                {
                    double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i * n + i];
        return (values, v);
    }
}
