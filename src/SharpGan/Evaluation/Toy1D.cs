namespace SharpGan.Evaluation;

/// <summary>
/// Exact quantities of the 1-D game on a uniform grid of x values (PAPER §2): the optimal discriminator
/// D* = p_data / (p_data + p_g), the Jensen–Shannon divergence, and the value V(D, G) by numerical
/// integration (midpoint rule). Densities are given on the grid; see <see cref="GeneratorDensity"/> for p_g.
/// </summary>
public static class Toy1D
{
    /// <summary>N(x; mean, std²).</summary>
    public static double NormalPdf(double x, double mean, double std) =>
        Math.Exp(-0.5 * Math.Pow((x - mean) / std, 2)) / (std * Math.Sqrt(2 * Math.PI));

    /// <summary>Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, |error| &lt; 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - 0.02425) return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    /// <summary>
    /// p_g on the grid by the change of variables x = G(z), z ~ U(0, 1): G is evaluated at <paramref name="gOfZ"/>
    /// = G(zᵢ) for zᵢ on a fine uniform z grid (midpoints), and each value carries mass 1/N into the x bin it falls
    /// in; density = mass / bin width. This is the exact integral ∫ δ(x − G(z)) dz up to the two discretisations,
    /// with no kernel bandwidth to choose. Mass falling outside the grid is lost (and reported by the JSD).
    /// </summary>
    public static double[] GeneratorDensity(ReadOnlySpan<float> gOfZ, double xMin, double xMax, int bins)
    {
        var density = new double[bins];
        double width = (xMax - xMin) / bins;
        foreach (float x in gOfZ)
        {
            int bin = (int)Math.Floor((x - xMin) / width);
            if (bin >= 0 && bin < bins) density[bin] += 1.0;
        }
        for (int i = 0; i < bins; i++) density[i] /= gOfZ.Length * width;
        return density;
    }

    /// <summary>D*(x) = p_data / (p_data + p_g); 1/2 where both vanish.</summary>
    public static double[] OptimalDiscriminator(ReadOnlySpan<double> pData, ReadOnlySpan<double> pG)
    {
        var d = new double[pData.Length];
        for (int i = 0; i < d.Length; i++) d[i] = pData[i] + pG[i] > 0 ? pData[i] / (pData[i] + pG[i]) : 0.5;
        return d;
    }

    /// <summary>JSD(p ‖ q) in nats, by the midpoint rule with bin width dx; terms with zero density contribute 0.</summary>
    public static double JensenShannon(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double dx)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double m = 0.5 * (p[i] + q[i]);
            if (p[i] > 0) sum += 0.5 * p[i] * Math.Log(p[i] / m);
            if (q[i] > 0) sum += 0.5 * q[i] * Math.Log(q[i] / m);
        }
        return sum * dx;
    }

    /// <summary>V(D, G) = ∫ p_data log D + p_g log(1 − D) dx; D is clamped to [1e-12, 1 − 1e-12] so log stays finite.</summary>
    public static double Value(ReadOnlySpan<double> pData, ReadOnlySpan<double> pG, ReadOnlySpan<double> d, double dx)
    {
        double sum = 0;
        for (int i = 0; i < pData.Length; i++)
        {
            double di = Math.Clamp(d[i], 1e-12, 1 - 1e-12);
            sum += pData[i] * Math.Log(di) + pG[i] * Math.Log(1 - di);
        }
        return sum * dx;
    }

    /// <summary>
    /// Grid indices [lo, hi) of the central <paramref name="mass"/> of a density (equal tails cut from each side).
    /// </summary>
    public static (int Lo, int Hi) CentralRegion(ReadOnlySpan<double> density, double dx, double mass = 0.95)
    {
        double total = 0;
        foreach (double v in density) total += v * dx;
        double tail = (1 - mass) / 2 * total, acc = 0;
        int lo = 0, hi = density.Length;
        for (; lo < density.Length; lo++) { acc += density[lo] * dx; if (acc > tail) break; }
        acc = 0;
        for (; hi > 0; hi--) { acc += density[hi - 1] * dx; if (acc > tail) break; }
        return (lo, hi);
    }
}
