using System.Numerics;
using System.Runtime.CompilerServices;
using SharpGan.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Evaluation;

// The test pass of the protocol at the chosen σ, scoring each point against only the samples that can move its sum.
public static partial class ParzenWindow
{
    // The subspace that bounds distances from below has BoundRank directions: the first ProductRank go through one
    // product for every (point, sample) pair, the rest are added only for the pairs that pass the first test. On MNIST 64
    // directions keep 86 % of the squared distance and leave about 1 % of the samples at Table 1's σ; 128 leave 0.2–0.4 %,
    // so about a third as many samples are measured in full (784 values, read from memory, against 64 in cache).
    private const int BoundRank = 128, ProductRank = 64;

    // If more than this share of the samples pass the first test in the first block (a wide σ), measuring them one by
    // one would cost more than the full product: the plain pass is used instead.
    private const double MaxSurvivorShare = 0.05;

    /// <summary>
    /// Per-point log-likelihoods at one σ; the same values as <see cref="LogLikelihoods"/> up to float rounding, for a
    /// fraction of its work when σ is narrow. A sample whose squared distance exceeds the point's nearest by more than
    /// 87·2σ² contributes a term under float's smallest normal number, which cannot move the sum (it holds the nearest
    /// term, exp(0) = 1), so it is skipped, as <see cref="ExpSums"/> skips it. Which samples those are is decided without
    /// their distances: in a k-dimensional principal subspace of the samples the projected distance is a lower bound
    /// of the full one, and a sample whose bound already exceeds (the distance to the sample nearest in projection) +
    /// 87·2σ² cannot matter. The survivors' distances are summed term by term (Σ (x − s)², not the GEMM identity
    /// ‖x‖² + ‖s‖² − 2x·s, so without its cancellation). Falls back to the plain pass for small problems (d &lt; 256 or
    /// n &lt; 1000) and when more than 5 % of the samples pass the first test.
    /// </summary>
    public static double[] LogLikelihoodsAt(ReadOnlySpan<float> points, int m, ReadOnlySpan<float> samples, int n, int d, double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be a finite positive number");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        // Non-finite samples (a diverged G) would make the subspace's eigenproblem meaningless: the plain pass gives
        // them the NaN they earn.
        if (d < 4 * ProductRank || n < 1000 || m < 1 || !float.IsFinite(TensorPrimitives.Sum(samples[..(n * d)])))
            return LogLikelihoods(points, m, samples, n, d, [sigma])[0];
        return NearbyLogLikelihoods(points, m, samples, n, d, sigma, out _) ?? LogLikelihoods(points, m, samples, n, d, [sigma])[0];
    }

    /// <summary>
    /// The pruned pass of <see cref="LogLikelihoodsAt"/> (d ≥ <see cref="BoundRank"/>; its product is ProductRank/d of the
    /// full one); null when more than 5 % of the samples pass the first test in the first block.
    /// <paramref name="survivorShare"/>: the share of (point, sample) pairs measured in full.
    /// </summary>
    internal static unsafe double[]? NearbyLogLikelihoods(ReadOnlySpan<float> points, int m, ReadOnlySpan<float> samples, int n, int d, double sigma, out double survivorShare)
    {
        survivorShare = 1;
        var subspace = PrincipalSubspace.Fit(samples, n, d, BoundRank);
        var (sampleHeads, sampleTails) = Split(subspace.Project(samples, n), n);
        var reference = new SquaredDistances.Reference(sampleHeads, n, ProductRank);
        float scale = (float)(-1.0 / (2 * sigma * sigma));
        float largestNorm = TensorPrimitives.Max(reference.Norms);
        double constant = -Math.Log(n) - d * Math.Log(sigma * Math.Sqrt(2 * Math.PI));
        var result = new double[m];
        int blockRows = Math.Min(BlockRows, m);
        var bounds = new float[blockRows * n];
        var cutoffs = new float[blockRows];
        var counts = new int[blockRows];
        long measured = 0;
        for (int start = 0; start < m; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - start);
            var x = points.Slice(start * d, rows * d);
            var (heads, tails) = Split(subspace.Project(x, rows), rows);
            SquaredDistances.Products(heads, rows, reference, bounds);
            fixed (float* pBounds = bounds, pNorms = reference.Norms, pHeads = heads, pTails = tails, pSampleTails = sampleTails)
            fixed (float* pPoints = x, pSamples = samples, pCutoffs = cutoffs)
            fixed (int* pCounts = counts)
            fixed (double* pResult = result)
            {
                var job = new NearbyScoring
                {
                    Bounds = pBounds, SampleNorms = pNorms, Heads = pHeads, Tails = pTails, SampleTails = pSampleTails,
                    Points = pPoints, SamplePixels = pSamples, Cutoffs = pCutoffs, Counts = pCounts, Result = pResult + start,
                    Samples = n, Dimension = d, Scale = scale, LargestNorm = largestNorm, Constant = constant,
                };
                if (start == 0)
                {
                    // The first block decides whether pruning pays: how many samples pass the first test?
                    WorkerPool.For(rows, &PrepareRowCounting, (nint)(&job));
                    long passing = 0;
                    for (int r = 0; r < rows; r++) passing += counts[r];
                    if (passing > MaxSurvivorShare * rows * n) return null;
                    WorkerPool.For(rows, &ScoreNearbyRow, (nint)(&job));
                }
                else WorkerPool.For(rows, &PrepareAndScoreRow, (nint)(&job));
            }
            for (int r = 0; r < rows; r++) measured += counts[r];
        }
        survivorShare = measured / ((double)m * n);
        return result;
    }

    // (rows, BoundRank) projections → the first ProductRank columns and the rest, each contiguous.
    private static (float[] Heads, float[] Tails) Split(float[] projected, int rows)
    {
        const int tailRank = BoundRank - ProductRank;
        var heads = new float[rows * ProductRank];
        var tails = new float[rows * tailRank];
        for (int i = 0; i < rows; i++)
        {
            projected.AsSpan(i * BoundRank, ProductRank).CopyTo(heads.AsSpan(i * ProductRank));
            projected.AsSpan(i * BoundRank + ProductRank, tailRank).CopyTo(tails.AsSpan(i * tailRank));
        }
        return (heads, tails);
    }

    private unsafe struct NearbyScoring
    {
        public float* Bounds, SampleNorms, Heads, Tails, SampleTails, Points, SamplePixels, Cutoffs;
        public int* Counts;
        public double* Result;
        public int Samples, Dimension;
        public float Scale, LargestNorm;
        public double Constant;
    }

    private static void PrepareRowCounting(int r, nint state) => PrepareRow(r, state, counting: true);

    private static void PrepareAndScoreRow(int r, nint state)
    {
        PrepareRow(r, state, counting: false);
        ScoreNearbyRow(r, state);
    }

    // Row r: its first-stage bounds finished (‖x' − s'‖² over the first ProductRank directions), the sample nearest by
    // that bound measured in full (an upper bound of the nearest distance), the cutoff beyond which a bound rules a
    // sample out, and (when counting) how many samples pass the first test.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a one-shot command calls it too few times for tiering
    private static unsafe void PrepareRow(int r, nint state, bool counting)
    {
        var job = (NearbyScoring*)state;
        int n = job->Samples, d = job->Dimension;
        var bound = new Span<float>(job->Bounds + (long)r * n, n);
        var head = new ReadOnlySpan<float>(job->Heads + (long)r * ProductRank, ProductRank);
        SquaredDistances.FinishRow(bound, new ReadOnlySpan<float>(job->SampleNorms, n), TensorPrimitives.SumOfSquares(head), out int nearest);
        float upper = SquaredDistance(new ReadOnlySpan<float>(job->Points + (long)r * d, d), new ReadOnlySpan<float>(job->SamplePixels + (long)nearest * d, d));
        // Room for rounding: the first-stage bound comes from the GEMM identity in float on norms up to ‖x'‖² + max‖s'‖²,
        // and Q is orthonormal only to float precision. Both errors are far below these margins, which cost no pruning
        // to speak of.
        float reach = NegligibleExponent / job->Scale;
        float cutoff = (upper + reach) * (1 + 1e-4f) + 1e-3f * (TensorPrimitives.SumOfSquares(head) + job->LargestNorm);
        cutoff = MathF.Max(cutoff, bound[nearest]); // the sample that gave the upper bound always survives
        job->Cutoffs[r] = cutoff;
        if (!counting) return;
        int w = Vector<float>.Count, j = 0;
        var limit = new Vector<float>(cutoff);
        var passing = Vector<int>.Zero;
        for (; j <= n - w; j += w) passing -= Vector.LessThanOrEqual(new Vector<float>(bound[j..]), limit); // true lanes are −1
        int count = Vector.Sum(passing);
        for (; j < n; j++) if (bound[j] <= cutoff) count++;
        job->Counts[r] = count;
    }

    // Row r: each sample that passes the first test gets the rest of its bound (the tail directions, from the small
    // projections in cache); each that passes that too is measured in full, its distance written over the front of the
    // row (in sample order, so the sums are the same at any thread count). Then the nearest among them and the
    // log-mean-exp.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScoreNearbyRow(int r, nint state)
    {
        const int tailRank = BoundRank - ProductRank;
        var job = (NearbyScoring*)state;
        int n = job->Samples, d = job->Dimension, w = Vector<float>.Count, count = 0;
        var row = new Span<float>(job->Bounds + (long)r * n, n);
        var point = new ReadOnlySpan<float>(job->Points + (long)r * d, d);
        var tail = new ReadOnlySpan<float>(job->Tails + (long)r * tailRank, tailRank);
        float cutoff = job->Cutoffs[r];
        var limit = new Vector<float>(cutoff);
        for (int j = 0; j < n; j += w)
        {
            int lanes = Math.Min(w, n - j);
            // A whole vector of samples is usually ruled out at once; it is read before the survivors ahead of it are
            // written (count ≤ j, so writes never pass the reads).
            var bounds = lanes == w ? new Vector<float>(row[j..]) : Vector<float>.Zero;
            if (lanes == w && Vector.GreaterThanAll(bounds, limit)) continue;
            for (int l = 0; l < lanes; l++)
            {
                float first = lanes == w ? bounds[l] : row[j + l];
                if (!(first <= cutoff)) continue;
                int sample = j + l;
                float full = first + SquaredDistance(tail, new ReadOnlySpan<float>(job->SampleTails + (long)sample * tailRank, tailRank));
                if (full <= cutoff) row[count++] = SquaredDistance(point, new ReadOnlySpan<float>(job->SamplePixels + (long)sample * d, d));
            }
        }
        job->Counts[r] = count;
        if (count == 0) { job->Result[r] = double.NaN; return; } // only NaN in the point or the samples leaves none
        var near = row[..count];
        float smallest = TensorPrimitives.Min(near);
        Span<double> sum = stackalloc double[1];
        ExpSums(near, smallest, [job->Scale], sum);
        job->Result[r] = job->Scale * (double)smallest + Math.Log(sum[0]) + job->Constant;
    }

    // ‖a − b‖², summed term by term in vector lanes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int w = Vector<float>.Count, i = 0;
        var sum = Vector<float>.Zero;
        for (; i <= a.Length - w; i += w)
        {
            var difference = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
            sum += difference * difference;
        }
        float total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += (a[i] - b[i]) * (a[i] - b[i]);
        return total;
    }
}
