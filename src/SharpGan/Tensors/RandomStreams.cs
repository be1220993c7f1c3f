namespace SharpGan.Tensors;

/// <summary>
/// A run's randomness: every named <see cref="RandomStream"/>, derived from one master seed, and their saved state.
/// The one place the derivation rule lives and the one object a checkpoint saves and restores, so the trainer, the
/// model builder and the experiments draw the same streams and a resumed run continues them exactly.
/// </summary>
public sealed class RandomStreams
{
    private readonly Dictionary<RandomStream, Rng> _streams = [];

    /// <summary>The master seed.</summary>
    public long Seed { get; }

    /// <summary>Streams for <paramref name="seed"/>; each is created when first asked for.</summary>
    public RandomStreams(long seed) => Seed = seed;

    /// <summary>The generator of one stream: the same instance on every call, so all its consumers advance the state that is saved.</summary>
    public Rng this[RandomStream stream]
    {
        get
        {
            if (!Enum.IsDefined(stream)) throw new ArgumentOutOfRangeException(nameof(stream), stream, "not a named stream");
            if (!_streams.TryGetValue(stream, out var rng)) _streams[stream] = rng = new Rng(StreamSeed(stream));
            return rng;
        }
    }

    /// <summary>
    /// A generator for a one-off draw keyed by <paramref name="salt"/> (the quality probe at step s draws the same
    /// noise however often it runs), independent of the stream itself, which it leaves untouched.
    /// </summary>
    public Rng Fork(RandomStream stream, ulong salt) => new(StreamSeed(stream) ^ salt);

    // Golden-ratio spacing of the master seed keeps the streams' SplitMix inputs far apart for neighbouring seeds.
    private ulong StreamSeed(RandomStream stream) => unchecked((ulong)Seed * 0x9E3779B97F4A7C15UL + (ulong)stream);

    /// <summary>The name a stream's state is saved under ("noise", "sample_noise", …).</summary>
    public static string NameOf(RandomStream stream) => stream switch
    {
        RandomStream.SampleNoise => "sample_noise",
        _ => stream.ToString().ToLowerInvariant(),
    };

    /// <summary>The state of every stream drawn from so far, by <see cref="NameOf"/>, for a checkpoint.</summary>
    public Dictionary<string, ulong[]> GetState() => _streams.OrderBy(s => s.Key).ToDictionary(s => NameOf(s.Key), s => s.Value.GetState());

    /// <summary>
    /// Restores streams from <see cref="GetState"/>; a stream the state does not name keeps its fresh state (it had not
    /// been drawn from). An unknown name or a malformed state throws <see cref="ArgumentException"/> before anything changes.
    /// </summary>
    public void SetState(IReadOnlyDictionary<string, ulong[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var byName = Enum.GetValues<RandomStream>().ToDictionary(NameOf);
        var restored = new List<(RandomStream, ulong[])>();
        foreach (var (name, words) in state)
        {
            if (!byName.TryGetValue(name, out var stream)) throw new ArgumentException($"unknown random stream '{name}'", nameof(state));
            if (!Rng.IsValidState(words)) throw new ArgumentException($"random stream '{name}' has no valid state (4 words, not all zero)", nameof(state));
            restored.Add((stream, words));
        }
        foreach (var (stream, words) in restored) this[stream].SetState(words);
    }
}
