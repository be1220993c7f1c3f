using System.Runtime.Intrinsics;

namespace SharpGan.Tensors;

/// <summary>
/// xoshiro256** generator with a state that can be saved and restored exactly (checkpoints resume
/// bit-identically), which <see cref="System.Random"/> does not allow.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state through SplitMix64, as the xoshiro authors recommend.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The four state words, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Whether <paramref name="state"/> can be restored: four words, not all zero (xoshiro's one dead state).</summary>
    public static bool IsValidState(ReadOnlySpan<ulong> state) => state.Length == 4 && (state[0] | state[1] | state[2] | state[3]) != 0;

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"an Rng state has 4 words, got {state.Length}", nameof(state));
        if (!IsValidState(state)) throw new ArgumentException("an all-zero Rng state is invalid", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    // One xoshiro256** step. Bulk fills call it on locals so the state stays in registers for the whole loop.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    private const float Inv24 = 1.0f / (1 << 24);

    /// <summary>Uniform in [0, 1) with 24 bits of precision (every float in the grid is reachable).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * Inv24;

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)((NextUInt64() >> 32) * (ulong)n >> 32);
    }

    /// <summary>Standard normal by Box–Muller; draws two uniforms per call so the state stays simple to save.</summary>
    public float NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Fills with U(low, high); the same stream as calling <see cref="NextFloat"/> per element.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void FillUniform(Span<float> destination, float low, float high)
    {
        float width = high - low;
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = low + width * ((Step(ref s0, ref s1, ref s2, ref s3) >> 40) * Inv24);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Fills with N(mean, std²).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void FillGaussian(Span<float> destination, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * NextGaussian();
    }

    /// <summary>
    /// Fills with N(mean, std²) for bulk noise (the Gaussian noise layers draw about a million values an iteration): the
    /// Box–Muller transform in single precision, sixteen pairs at a time on 512-bit vectors, both members of each pair
    /// used (r·cos θ, r·sin θ), one 64-bit draw a pair (24 bits each for the radius and the angle). About 20× faster
    /// than <see cref="FillGaussian"/>, and a different stream. The radius's 24 bits cut the tails at
    /// √(2·ln 2²⁴) ≈ 5.77σ (a 1-in-10⁸ event), so initialisation keeps <see cref="FillGaussian"/>.
    /// Deterministic across machines: the vector log, sin and cos are one lane-wise algorithm at every vector width
    /// (narrower hardware runs a 512-bit vector as halves). Blocks are whole, so a fill of n values is the first n of
    /// any longer fill from the same state.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void FillGaussianBulk(Span<float> destination, float mean = 0f, float std = 1f)
    {
        const int pairs = 16; // one Vector512<float>
        Span<float> radiusBits = stackalloc float[pairs], angleBits = stackalloc float[pairs], partial = stackalloc float[2 * pairs];
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int start = 0; start < destination.Length; start += 2 * pairs)
        {
            for (int k = 0; k < pairs; k++)
            {
                ulong bits = Step(ref s0, ref s1, ref s2, ref s3);
                radiusBits[k] = ((bits >> 40) + 1) * Inv24;       // u1 in (0, 1]: the log is finite
                angleBits[k] = ((bits >> 8) & 0xFFFFFF) * Inv24;  // u2 in [0, 1)
            }
            StoreBoxMuller(Vector512.Create<float>(radiusBits), Vector512.Create<float>(angleBits), mean, std, destination, start, partial);
        }
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    // Values [start, start + 32) of destination (fewer at its end, through partial) from 16 Box–Muller pairs: r·cos θ in
    // the first 16, r·sin θ in the next, r = std·√(−2 ln u1), θ = 2π·u2, for u1 in (0, 1] and u2 in [0, 1).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void StoreBoxMuller(Vector512<float> u1, Vector512<float> u2, float mean, float std, Span<float> destination, int start, Span<float> partial)
    {
        var radius = Vector512.Sqrt(Vector512.Log(u1) * -2f) * std;
        var angle = u2 * (2f * MathF.PI);
        var (cosines, sines) = (radius * Vector512.Cos(angle) + Vector512.Create(mean), radius * Vector512.Sin(angle) + Vector512.Create(mean));
        var target = destination.Length - start >= 32 ? destination.Slice(start, 32) : partial;
        cosines.CopyTo(target);
        sines.CopyTo(target[16..]);
        if (target == partial) partial[..(destination.Length - start)].CopyTo(destination[start..]);
    }

    /// <summary>
    /// N(mean, std²) values first … first + length − 1 of the counter-based Gaussian stream under <paramref name="seed"/>:
    /// the Box–Muller transform of <see cref="FillGaussianBulk"/> (blocks of 32 values, 16 cosines then 16 sines of 16
    /// pairs), but pair k of block b takes its 64 bits from SplitMix64's output for counter 16·b + k, eight counters at a
    /// time on vectors, so any block range can be drawn apart — on any thread, in any order — and gives the same
    /// values. <paramref name="first"/> must start a block (a multiple of 32).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void FillGaussianAt(ulong seed, long first, Span<float> destination, float mean = 0f, float std = 1f)
    {
        if (first % 32 != 0) throw new ArgumentException($"the first value must start a block of 32, got {first}", nameof(first));
        Span<float> partial = stackalloc float[32];
        var lane = Vector512.Create(1UL, 2, 3, 4, 5, 6, 7, 8);
        var eight = Vector512.Create(unchecked(8 * Golden));
        var low24 = Vector512.Create(0xFFFFFFUL);
        var unit = Vector512.Create(Inv24);
        for (int start = 0; start < destination.Length; start += 32)
        {
            long pair = (first + start) / 2; // 16 pairs a block: counters pair … pair + 15
            var counter = Vector512.Create(seed) + (Vector512.Create((ulong)pair) + lane) * Golden;
            var (bits0, bits1) = (Mix(counter), Mix(counter + eight));
            // u1 = (high 24 bits + 1)·2⁻²⁴ in (0, 1] (its log is finite), u2 = (bits 8..31)·2⁻²⁴ in [0, 1).
            var u1 = Vector512.ConvertToSingle(Vector512.Narrow((bits0 >> 40) + Vector512<ulong>.One, (bits1 >> 40) + Vector512<ulong>.One)) * unit;
            var u2 = Vector512.ConvertToSingle(Vector512.Narrow((bits0 >> 8) & low24, (bits1 >> 8) & low24)) * unit;
            StoreBoxMuller(u1, u2, mean, std, destination, start, partial);
        }
    }

    /// <summary>Advances the state by <paramref name="draws"/> draws, as that many <see cref="NextUInt64"/> calls would.</summary>
    public void Skip(long draws)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (long i = 0; i < draws; i++) Step(ref s0, ref s1, ref s2, ref s3);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// destination[i] = <paramref name="value"/> with probability p, else 0 (a scaled dropout mask); the same
    /// stream as comparing <see cref="NextFloat"/> with p per element. Branch-free: the outcome is random,
    /// so a branch would mispredict constantly.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void FillBernoulli(Span<float> destination, float p, float value)
    {
        // u < p  ⇔  the 24-bit integer below p·2²⁴ (u = bits·2⁻²⁴ exactly, p·2²⁴ exact for float p in [0,1]).
        ulong threshold = (ulong)Math.Ceiling((double)p * (1 << 24));
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
        {
            ulong bits = Step(ref s0, ref s1, ref s2, ref s3) >> 40;
            destination[i] = value * (bits < threshold ? 1f : 0f);
        }
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    private const ulong Golden = 0x9E3779B97F4A7C15; // SplitMix64's increment

    /// <summary>
    /// destination[i] = <paramref name="value"/> with probability p, else 0, decided by counter first + i under
    /// <paramref name="seed"/>: SplitMix64's output for that counter (seed + (counter + 1)·γ, mixed), its top 24 bits
    /// against p·2²⁴. Nothing is carried from one value to the next, so any rows of a batch can be drawn apart (a
    /// data-parallel shard draws only its own) and the same mask comes out; eight counters go at once on 512-bit vectors
    /// (dropout masks were 1 ms of the paper MLP's iteration one xoshiro step at a time). Take the seed from a stream
    /// (<see cref="NextUInt64"/>) once per mask.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void FillBernoulliAt(ulong seed, long first, Span<float> destination, float p, float value)
    {
        ulong threshold = (ulong)Math.Ceiling((double)p * (1 << 24));
        int i = 0;
        if (Vector512.IsHardwareAccelerated && destination.Length >= 16)
        {
            var lane = Vector512.Create(1UL, 2, 3, 4, 5, 6, 7, 8);
            var counter = Vector512.Create(seed) + (Vector512.Create((ulong)first) + lane) * Golden; // counters first + 1 + lane
            var step = Vector512.Create(unchecked(8 * Golden));
            var limit = Vector512.Create(threshold);
            var kept = Vector512.Create(value);
            ref float dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
            for (; i + 16 <= destination.Length; i += 16)
            {
                var low = Vector512.LessThan(Mix(counter) >> 40, limit);
                var high = Vector512.LessThan(Mix(counter + step) >> 40, limit);
                counter += step + step;
                var keep = Vector512.Narrow(low, high).AsSingle(); // all ones where kept
                (keep & kept).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < destination.Length; i++)
            destination[i] = (Mix(seed + (ulong)(first + i + 1) * Golden) >> 40) < threshold ? value : 0f;
    }

    // SplitMix64's output function (Steele, Lea and Flood), lane-wise and scalar: the same bits either way.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Fisher–Yates shuffle.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
