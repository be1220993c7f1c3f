using System.Diagnostics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Evaluation;

/// <summary>The result of the Table-1 protocol.</summary>
/// <param name="Sigma">The σ chosen on validation (or the fixed one).</param>
/// <param name="TestMean">Mean log-likelihood of the test images, nats.</param>
/// <param name="TestStandardError">Standard deviation of the per-image values / √N (as the paper reported).</param>
/// <param name="ValidationCurve">Mean validation log-likelihood for every σ tried.</param>
/// <param name="Samples">Samples the window was fitted on.</param>
/// <param name="TestCount">Test images scored.</param>
/// <param name="Seconds">Wall time of the protocol (data loading and sampling excluded).</param>
public sealed record ParzenResult(double Sigma, double TestMean, double TestStandardError, IReadOnlyList<(double Sigma, double Mean)> ValidationCurve, int Samples, int TestCount, double Seconds);

/// <summary>
/// Gaussian Parzen-window log-likelihood (PAPER §5): log p(x) = logmeanexp_j(−‖x − s_j‖² / 2σ²) − d·log(σ√(2π)).
/// The squared distances are computed once per block of points by GEMM and reused for every σ; the
/// log-mean-exp subtracts each row's smallest distance first, so nothing underflows to −∞.
/// </summary>
public static class ParzenWindow
{
    private const int BlockRows = 500;

    /// <summary>The paper's grid: 10 values log-spaced in [0.1, 1].</summary>
    public static double[] DefaultSigmas { get; } = Enumerable.Range(0, 10).Select(i => Math.Pow(10, -1 + i / 9.0)).ToArray();

    /// <summary>
    /// Per-point log-likelihoods: result[σ index][point]. points is (m, d), samples is (n, d).
    /// </summary>
    public static double[][] LogLikelihoods(ReadOnlySpan<float> points, int m, ReadOnlySpan<float> samples, int n, int d, IReadOnlyList<double> sigmas)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        foreach (double s in sigmas)
            if (!(s > 0) || !double.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(sigmas), s, "every σ must be a finite positive number");
        var result = sigmas.Select(_ => new double[m]).ToArray();
        var reference = new SquaredDistances.Reference(samples, n, d);
        var block = new float[Math.Min(BlockRows, m) * n];
        double logN = Math.Log(n);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Engine.Threads };
        for (int start = 0; start < m; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - start), first = start;
            SquaredDistances.Compute(points.Slice(start * d, rows * d), rows, reference, block);
            // Rows are independent (each writes its own entries), so the result does not depend on the thread count.
            Parallel.For(0, rows, parallel, () => new float[n], (r, _, scratch) =>
            {
                var dist = block.AsSpan(r * n, n);
                float nearest = TensorPrimitives.Min(dist);
                TensorPrimitives.Subtract(dist, nearest, dist); // ≥ 0, the nearest sample at 0
                for (int k = 0; k < sigmas.Count; k++)
                {
                    double sigma = sigmas[k];
                    float a = (float)(-1.0 / (2 * sigma * sigma));
                    TensorPrimitives.Multiply(dist, a, scratch);
                    TensorPrimitives.Exp(scratch, scratch);
                    double sum = TensorPrimitives.Sum<float>(scratch); // ≥ 1: the nearest term is exp(0)
                    result[k][first + r] = a * (double)nearest + Math.Log(sum) - logN - d * Math.Log(sigma * Math.Sqrt(2 * Math.PI));
                }
                return scratch;
            }, _ => { });
        }
        return result;
    }

    /// <summary>
    /// The Table-1 protocol: pick σ maximising the mean validation log-likelihood (unless <paramref name="fixedSigma"/>),
    /// then report the test mean ± standard error at that σ.
    /// </summary>
    public static ParzenResult Evaluate(ReadOnlySpan<float> samples, int n, ReadOnlySpan<float> validation, int validCount,
        ReadOnlySpan<float> test, int testCount, int d, double? fixedSigma = null, IReadOnlyList<double>? sigmas = null)
    {
        var clock = Stopwatch.StartNew();
        var grid = fixedSigma is { } f ? [f] : sigmas ?? DefaultSigmas;
        var curve = new List<(double, double)>();
        double bestSigma = grid[0];
        if (grid.Count > 1)
        {
            var valid = LogLikelihoods(validation, validCount, samples, n, d, grid);
            double bestMean = double.NegativeInfinity;
            for (int k = 0; k < grid.Count; k++)
            {
                double mean = valid[k].Average();
                curve.Add((grid[k], mean));
                if (mean > bestMean) (bestMean, bestSigma) = (mean, grid[k]);
            }
        }
        var ll = LogLikelihoods(test, testCount, samples, n, d, [bestSigma])[0];
        double testMean = ll.Average();
        double std = Math.Sqrt(ll.Select(v => (v - testMean) * (v - testMean)).Average());
        return new ParzenResult(bestSigma, testMean, std / Math.Sqrt(testCount), curve, n, testCount, clock.Elapsed.TotalSeconds);
    }
}
