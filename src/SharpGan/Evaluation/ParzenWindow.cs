using System.Diagnostics;
using System.Numerics;
using SharpGan.Tensors;

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
public static partial class ParzenWindow
{
    private const int BlockRows = 500;

    /// <summary>The paper's grid: 10 values log-spaced in [0.1, 1].</summary>
    public static double[] DefaultSigmas { get; } = Enumerable.Range(0, 10).Select(i => Math.Pow(10, -1 + i / 9.0)).ToArray();

    /// <summary>
    /// Per-point log-likelihoods: result[σ index][point]. points is (m, d), samples is (n, d).
    /// </summary>
    public static unsafe double[][] LogLikelihoods(ReadOnlySpan<float> points, int m, ReadOnlySpan<float> samples, int n, int d, IReadOnlyList<double> sigmas)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        foreach (double s in sigmas)
            if (!(s > 0) || !double.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(sigmas), s, "every σ must be a finite positive number");
        var result = sigmas.Select(_ => new double[m]).ToArray();
        var reference = new SquaredDistances.Reference(samples, n, d);
        int blockRows = Math.Min(BlockRows, m), count = sigmas.Count;
        var block = new float[blockRows * n];
        // The exponent's scale −1/2σ² for each σ, widest σ (least negative scale) first: the order ExpSums stops in.
        var order = Enumerable.Range(0, count).OrderByDescending(k => sigmas[k]).ToArray();
        var scales = order.Select(k => (float)(-1.0 / (2 * sigmas[k] * sigmas[k]))).ToArray();
        var nearest = new float[blockRows];
        var sums = new double[blockRows * count];
        double logN = Math.Log(n);
        for (int start = 0; start < m; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - start);
            var x = points.Slice(start * d, rows * d);
            SquaredDistances.Products(x, rows, reference, block);
            // Rows are independent (each writes its own entries), so the result does not depend on the thread count.
            fixed (float* pBlock = block, pNorms = reference.Norms, pPoints = x, pNearest = nearest, pScales = scales)
            fixed (double* pSums = sums)
            {
                var job = new RowScoring
                {
                    Block = pBlock, SampleNorms = pNorms, Points = pPoints, Nearest = pNearest, Scales = pScales,
                    Sums = pSums, Samples = n, Dimension = d, Sigmas = count,
                };
                WorkerPool.For(rows, &ScoreRow, (nint)(&job));
            }
            for (int r = 0; r < rows; r++)
            for (int o = 0; o < count; o++)
            {
                int k = order[o];
                double sigma = sigmas[k];
                // sums ≥ 1: the nearest term is exp(0)
                result[k][start + r] = scales[o] * (double)nearest[r] + Math.Log(sums[r * count + o]) - logN - d * Math.Log(sigma * Math.Sqrt(2 * Math.PI));
            }
        }
        return result;
    }

    private unsafe struct RowScoring
    {
        public float* Block, SampleNorms, Points, Nearest, Scales;
        public double* Sums;
        public int Samples, Dimension, Sigmas;
    }

    // Row r of the block: its −2·x·sᵀ finished into squared distances, their smallest, and for each σ the sum of
    // exp(scale·(dist − smallest)), so the nearest sample's term is exp(0) and nothing underflows to a zero sum.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScoreRow(int r, nint state)
    {
        var job = (RowScoring*)state;
        int n = job->Samples;
        var dist = new Span<float>(job->Block + (long)r * n, n);
        float smallest = SquaredDistances.FinishRow(dist, new ReadOnlySpan<float>(job->SampleNorms, n),
            new ReadOnlySpan<float>(job->Points + (long)r * job->Dimension, job->Dimension));
        job->Nearest[r] = smallest;
        ExpSums(dist, smallest, new ReadOnlySpan<float>(job->Scales, job->Sigmas), new Span<double>(job->Sums + (long)r * job->Sigmas, job->Sigmas));
    }

    // Below this exponent a term is under float's smallest normal number: beside the nearest term's exp(0) = 1, even
    // 10⁹ of them could not change a float sum, so they are skipped.
    private const float NegligibleExponent = -87f;

    /// <summary>
    /// sums[k] = Σ_j exp(scales[k]·(dist[j] − smallest)) for scales ordered from the least negative on, in one pass over
    /// dist for every scale. A vector of terms whose exponents are all below <see cref="NegligibleExponent"/> at one
    /// scale is below it at every later (more negative) one, so each vector stops there: at the paper's narrow σ most
    /// of the 10⁸ terms are never computed.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void ExpSums(ReadOnlySpan<float> dist, float smallest, ReadOnlySpan<float> scales, Span<double> sums)
    {
        int n = dist.Length, count = scales.Length, w = Vector<float>.Count, j = 0;
        // One vector of partial sums a σ: on the stack for any sensible grid, on the heap for a caller's huge one.
        Span<Vector<float>> lanes = count <= 64 ? stackalloc Vector<float>[count] : new Vector<float>[count];
        lanes.Clear();
        var shift = new Vector<float>(smallest);
        var negligible = new Vector<float>(NegligibleExponent);
        for (; j <= n - w; j += w)
        {
            var offset = new Vector<float>(dist[j..]) - shift; // ≥ 0
            for (int k = 0; k < count; k++)
            {
                var exponent = offset * scales[k];
                if (Vector.LessThanAll(exponent, negligible)) break;
                lanes[k] += Vector.Exp(exponent);
            }
        }
        for (int k = 0; k < count; k++)
        {
            double sum = 0;
            for (int l = 0; l < w; l++) sum += lanes[k][l];
            for (int t = j; t < n; t++) sum += MathF.Exp(scales[k] * (dist[t] - smallest));
            sums[k] = sum;
        }
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
        var ll = LogLikelihoodsAt(test, testCount, samples, n, d, bestSigma);
        double testMean = ll.Average();
        double std = Math.Sqrt(ll.Select(v => (v - testMean) * (v - testMean)).Average());
        return new ParzenResult(bestSigma, testMean, std / Math.Sqrt(testCount), curve, n, testCount, clock.Elapsed.TotalSeconds);
    }
}
