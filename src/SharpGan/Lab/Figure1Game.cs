using SharpGan.Experiments;

namespace SharpGan.Lab;

/// <summary>
/// Figure 1 as an animation: the 1-D game of <see cref="Toy1DExperiment"/> (data N(1, 0.5²), z ~ U(0, 1)) one iteration
/// at a time, measured exactly on a grid each frame: p_data, p_g, D, D* = p_data / (p_data + p_g), the Jensen–Shannon
/// divergence and max_D V(G, D) = −log 4 + 2·JSD, which falls to −log 4 as p_g reaches p_data.
/// </summary>
public sealed class Figure1Game : ILabGame<Figure1Frame>
{
    private const int Shown = 200, HistoryLength = 400;
    private readonly Toy1DOptions _options;
    private Toy1DExperiment _game;
    private readonly BoundedHistory<Figure1Point> _history = new(HistoryLength);

    /// <summary>Iterations per second while playing (1 to 2 000).</summary>
    public double Speed { get; private set; } = 60;

    /// <summary>D updates and G updates taken as single steps or inside iterations.</summary>
    public long DiscriminatorSteps { get; private set; }

    /// <summary>G updates so far.</summary>
    public long GeneratorSteps { get; private set; }

    /// <summary>A game seeded by <paramref name="seed"/>, with the Figure 1 settings of `sharpgan toy figure1`.</summary>
    public Figure1Game(long seed = 1)
    {
        _options = new Toy1DOptions { Seed = seed, Bins = 600 };
        _game = new Toy1DExperiment(_options);
    }

    /// <summary>Iterations done.</summary>
    public long Iterations => _game.StepsDone;

    /// <inheritdoc />
    public void Reset(long seed)
    {
        _game = new Toy1DExperiment(_options with { Seed = seed });
        (DiscriminatorSteps, GeneratorSteps) = (0, 0);
        _history.Clear();
    }

    /// <summary>Sets the speed; throws <see cref="ArgumentException"/> outside [0.1, 2000].</summary>
    public void SetSpeed(double speed) =>
        Speed = speed is >= 0.1 and <= 2000 ? speed : throw new ArgumentException($"speed must be in [0.1, 2000], got {speed}");

    /// <inheritdoc />
    public void Iterate()
    {
        _game.Train(1);
        DiscriminatorSteps += _options.K;
        GeneratorSteps++;
    }

    /// <inheritdoc />
    public void StepDiscriminator()
    {
        _game.TrainDiscriminatorOnly(1);
        DiscriminatorSteps++;
    }

    /// <inheritdoc />
    public void StepGenerator()
    {
        _game.TrainGeneratorOnly(1);
        GeneratorSteps++;
    }

    /// <inheritdoc />
    public Figure1Frame Frame(long version, bool playing)
    {
        var s = _game.Snapshot("", zGrid: 20_000); // a tenth of the figure's grid: 16 ms a frame instead of 156
        int stride = s.X.Length / Shown;
        float[] Thin(double[] v) => [.. Enumerable.Range(0, Shown).Select(i => (float)Math.Round(v[i * stride + stride / 2], 4))];
        _history.Record(Iterations, new Figure1Point(Iterations, s.Jsd, s.ValueAtOptimum));
        return new Figure1Frame
        {
            Version = version,
            Playing = playing,
            Iterations = Iterations,
            DiscriminatorSteps = DiscriminatorSteps,
            GeneratorSteps = GeneratorSteps,
            Speed = Speed,
            X = Thin(s.X),
            DataDensity = Thin(s.PData),
            GeneratorDensity = Thin(s.PG),
            Discriminator = Thin(s.D),
            OptimalDiscriminator = Thin(s.DOptimal),
            Mapping = [.. s.Mapping.SelectMany(m => new[] { (float)m.Z, (float)m.X })],
            JensenShannon = s.Jsd,
            ValueAtOptimum = s.ValueAtOptimum,
            ValueAtTrainedD = s.ValueAtTrainedD,
            NegLog4 = Toy1DSnapshot.NegLog4,
            History = _history.ToArray(),
        };
    }
}

/// <summary>The 1-D game's divergence and value after an iteration.</summary>
public sealed record Figure1Point(long Iteration, double JensenShannon, double ValueAtOptimum);

/// <summary>What the Figure 1 view draws at one moment.</summary>
public sealed record Figure1Frame : ILabFrame
{
    /// <inheritdoc />
    public long Version { get; init; }

    /// <inheritdoc />
    public bool Playing { get; init; }

    /// <summary>Iterations done.</summary>
    public long Iterations { get; init; }

    /// <summary>D updates so far.</summary>
    public long DiscriminatorSteps { get; init; }

    /// <summary>G updates so far.</summary>
    public long GeneratorSteps { get; init; }

    /// <summary>Iterations per second while playing.</summary>
    public double Speed { get; init; }

    /// <summary>The x grid (200 points over the data mean ± 6σ).</summary>
    public required float[] X { get; init; }

    /// <summary>p_data on the grid.</summary>
    public required float[] DataDensity { get; init; }

    /// <summary>p_g on the grid (change of variables through G).</summary>
    public required float[] GeneratorDensity { get; init; }

    /// <summary>D(x) on the grid.</summary>
    public required float[] Discriminator { get; init; }

    /// <summary>D*(x) = p_data / (p_data + p_g).</summary>
    public required float[] OptimalDiscriminator { get; init; }

    /// <summary>(z, G(z)) pairs: Figure 1's lower lines, z up from 0 to 1.</summary>
    public required float[] Mapping { get; init; }

    /// <summary>JSD(p_data ‖ p_g), nats.</summary>
    public double JensenShannon { get; init; }

    /// <summary>max_D V(G, D) = V(G, D*) = −log 4 + 2·JSD.</summary>
    public double ValueAtOptimum { get; init; }

    /// <summary>V(G, D) with the trained D.</summary>
    public double ValueAtTrainedD { get; init; }

    /// <summary>−log 4, the value at the global optimum.</summary>
    public double NegLog4 { get; init; }

    /// <summary>JSD and max_D V over the recent iterations.</summary>
    public required Figure1Point[] History { get; init; }
}

/// <summary>The Figure 1 view's game loop and its commands.</summary>
public sealed class Figure1Session(long seed = 1, bool play = false) : GameLoop<Figure1Game, Figure1Frame>(new Figure1Game(seed), play)
{
    /// <summary>Sets iterations per second; checked here, on the caller's thread.</summary>
    public void SetSpeed(double speed)
    {
        if (!(speed is >= 0.1 and <= 2000)) throw new ArgumentException($"speed must be in [0.1, 2000], got {speed}");
        Enqueue(game => game.SetSpeed(speed));
    }
}
