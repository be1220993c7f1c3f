using SharpGan.Autograd;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Experiments;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Lab;

/// <summary>
/// The 2-D game the lab shows: Algorithm 1 on points in the plane, one step at a time, and what the page draws of it
/// (<see cref="Frame"/>). Not thread-safe: <see cref="LabSession"/> drives it from one thread.
/// </summary>
public sealed class LabGame : ILabGame<LabFrame>
{
    /// <summary>Most points a user may draw.</summary>
    public const int MaxDrawnPoints = 100;

    /// <summary>σ of each drawn point's Gaussian.</summary>
    public const double DrawnStd = 0.1;

    private const int ShownPoints = 300, CoveragePoints = 1000, Arrows = 60, HeatSide = 40, ManifoldSide = 15, HistoryLength = 400;
    private readonly List<(double X, double Y)> _drawn;
    private readonly BoundedHistory<CoveragePoint> _history = new(HistoryLength);
    private Sequential _g = null!, _d = null!;
    private Optimizer _optG = null!, _optD = null!;
    private AdversarialStep _step = null!;
    private Rng _dataRng = null!, _noiseRng = null!, _penaltyRng = null!;
    private Tensor _real = null!, _shownNoise = null!;
    private GaussianMixture2D? _mixture;
    private StepStats _lastD;
    private float? _lastGLoss;

    /// <summary>The settings in force.</summary>
    public LabSettings Settings { get; private set; }

    /// <summary>Completed iterations (k D steps and the G steps each), D steps and G steps, counted separately since single steps can be taken.</summary>
    public long Iterations { get; private set; }

    /// <summary>D updates so far.</summary>
    public long DiscriminatorSteps { get; private set; }

    /// <summary>G updates so far.</summary>
    public long GeneratorSteps { get; private set; }

    /// <summary>The points the user drew (the "drawn" data set's modes).</summary>
    public IReadOnlyList<(double X, double Y)> DrawnPoints => _drawn;

    /// <summary>Half the side of the square the page shows, [−extent, extent]².</summary>
    public double Extent => Settings.Data switch { "grid25" => 6, "gaussian" => 4, _ => 3 };

    /// <summary>Starts a game with fresh networks seeded by <see cref="LabSettings.Seed"/>.</summary>
    public LabGame(LabSettings settings, IEnumerable<(double X, double Y)>? drawn = null)
    {
        settings.Validate();
        Settings = settings;
        _drawn = [.. drawn ?? []];
        if (_drawn.Count > MaxDrawnPoints) throw new ArgumentException($"at most {MaxDrawnPoints} drawn points");
        Reset(settings.Seed);
    }

    /// <summary>New networks, optimisers and streams from <paramref name="seed"/>; the counters restart at 0.</summary>
    public void Reset(long seed)
    {
        Settings = Settings with { Seed = seed };
        Settings.Validate();
        var random = new RandomStreams(seed);
        (_g, _d) = MixtureExperiment.Networks(Settings.NoiseDim, Settings.Hidden, random[RandomStream.Init]);
        _dataRng = random[RandomStream.Data];
        _noiseRng = random[RandomStream.Noise];
        _mixture = Mixture();
        (_optG, _optD) = (Optimizer(_g, Settings.GeneratorLearningRate), Optimizer(_d, Settings.DiscriminatorLearningRate));
        _real = new Tensor(Settings.BatchSize, 2);
        _penaltyRng = random[RandomStream.Penalty];
        _step = NewStep(Settings);
        // The points the page shows come from one fixed z set, so between frames they move only because G moved.
        _shownNoise = new Tensor(CoveragePoints, Settings.NoiseDim);
        Settings.Prior.Fill(_shownNoise.Data, random[RandomStream.SampleNoise]);
        (Iterations, DiscriminatorSteps, GeneratorSteps, _lastD, _lastGLoss) = (0, 0, 0, default, null);
        _history.Clear();
    }

    /// <summary>
    /// Applies new settings. Rates, k and G steps take effect at once and keep the networks; a new loss, prior or batch
    /// size keeps the networks and optimisers; a new optimiser starts fresh optimisers; new data, width or z dimension
    /// (or seed) restart the game.
    /// </summary>
    public void Apply(LabSettings next)
    {
        next.Validate();
        var before = Settings;
        Settings = next;
        if (next.Data != before.Data || next.NoiseDim != before.NoiseDim || next.Hidden != before.Hidden || next.Seed != before.Seed)
        {
            Reset(next.Seed);
            return;
        }
        if (next.Optimizer != before.Optimizer)
            (_optG, _optD) = (Optimizer(_g, next.GeneratorLearningRate), Optimizer(_d, next.DiscriminatorLearningRate));
        _optG.LearningRateSchedule = Schedule.Constant(next.GeneratorLearningRate);
        _optD.LearningRateSchedule = Schedule.Constant(next.DiscriminatorLearningRate);
        if (next.Loss != before.Loss || next.Prior != before.Prior || next.BatchSize != before.BatchSize || next.Optimizer != before.Optimizer
            || next.Objective != before.Objective || next.Penalty != before.Penalty || next.PenaltyWeight != before.PenaltyWeight)
        {
            // The step's noise stream continues: a settings change is not a reset.
            _real = new Tensor(next.BatchSize, 2);
            _step = NewStep(next);
        }
    }

    private AdversarialStep NewStep(LabSettings s) => new(_g, _d, _optG, _optD, s.BatchSize, s.NoiseDim, _noiseRng, 1, s.Loss, s.Prior)
    {
        Objective = s.Objective, Penalty = s.Penalty, PenaltyWeight = (float)s.PenaltyWeight, PenaltyRng = _penaltyRng,
        PerValueNoise = true, // the lab's seeded scenarios (the collapse under five G steps) were found with this stream
    };

    /// <summary>Adds a data point at (x, y) (clamped to the view); the data becomes "drawn" (a new game) if it was not.</summary>
    public void AddPoint(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) throw new ArgumentException("a point needs finite coordinates");
        if (_drawn.Count >= MaxDrawnPoints) throw new ArgumentException($"at most {MaxDrawnPoints} drawn points");
        _drawn.Add((Math.Clamp(x, -3, 3), Math.Clamp(y, -3, 3)));
        if (Settings.Data != "drawn") Apply(Settings with { Data = "drawn" });
        else _mixture = Mixture();
    }

    /// <summary>Removes every drawn point.</summary>
    public void ClearPoints()
    {
        _drawn.Clear();
        if (Settings.Data == "drawn") _mixture = null;
    }

    /// <summary>True when there is data to train on (the "drawn" set needs at least one point).</summary>
    public bool HasData => _mixture is not null;

    /// <summary>One iteration: k D steps, then the configured number of G steps.</summary>
    public void Iterate()
    {
        if (!HasData) return;
        for (int i = 0; i < Settings.K; i++) StepDiscriminator();
        for (int i = 0; i < Settings.GeneratorSteps; i++) StepGenerator();
        Iterations++;
    }

    /// <summary>One D update on a fresh real batch against fresh fakes.</summary>
    public void StepDiscriminator()
    {
        if (!HasData) return;
        _mixture!.Sample(_real.Data, _dataRng);
        _lastD = _step.DiscriminatorStep(_real);
        DiscriminatorSteps++;
    }

    /// <summary>One G update through the current D.</summary>
    public void StepGenerator()
    {
        if (!HasData) return;
        _lastGLoss = _step.GeneratorStep(_step.NextNoise());
        GeneratorSteps++;
    }

    /// <inheritdoc />
    public double Speed => Settings.Speed;

    /// <summary>Measures the game now: what the page draws and the live numbers.</summary>
    public LabFrame Frame(long version, bool playing = false)
    {
        double e = Extent;
        var all = _g.Forward(_shownNoise).Data; // (1000, 2)
        var shownFake = Round(all.AsSpan(0, 2 * ShownPoints));
        var real = new float[2 * ShownPoints];
        if (_mixture is not null) _mixture.Sample(real, new Rng(7)); // the same real points every frame
        ModeCoverage? coverage = _mixture is null ? null : ModeCoverage.Measure(_mixture, all);
        _history.Record(Iterations, new CoveragePoint(Iterations, coverage?.ModesCovered ?? 0, coverage?.HighQualityFraction ?? 0, _lastD.MeanDReal, _lastD.MeanDFake));
        return new LabFrame
        {
            Version = version,
            Playing = playing,
            Settings = Settings,
            Iterations = Iterations,
            DiscriminatorSteps = DiscriminatorSteps,
            GeneratorSteps = GeneratorSteps,
            Extent = e,
            Message = HasData ? null : "click the plane to add data points",
            Modes = _mixture?.Means.Select(m => new[] { Math.Round(m.X, 3), Math.Round(m.Y, 3) }).ToArray() ?? [],
            Real = _mixture is null ? [] : Round(real),
            Fake = shownFake,
            HeatSide = HeatSide,
            Heat = Heat(e),
            Arrows = GeneratorGradients(all.AsSpan(0, 2 * Arrows)),
            ManifoldSide = Settings.NoiseDim >= 2 ? ManifoldSide : 2 * ManifoldSide + 1,
            Manifold = Manifold(),
            DiscriminatorLoss = _lastD.DiscriminatorLoss,
            GeneratorLoss = _lastGLoss,
            MeanDReal = _lastD.MeanDReal,
            MeanDFake = _lastD.MeanDFake,
            ModesCovered = coverage?.ModesCovered ?? 0,
            ModeCount = coverage?.Modes ?? 0,
            HighQualityFraction = coverage?.HighQualityFraction ?? 0,
            History = _history.ToArray(),
        };
    }

    // D's probability on a side×side grid over [−e, e]², rows from the top (y = +e) down, as a canvas draws them.
    private float[] Heat(double e)
    {
        var grid = new Tensor(HeatSide * HeatSide, 2);
        for (int r = 0; r < HeatSide; r++)
            for (int c = 0; c < HeatSide; c++)
            {
                grid.Data[2 * (r * HeatSide + c)] = (float)(-e + (c + 0.5) * 2 * e / HeatSide);
                grid.Data[2 * (r * HeatSide + c) + 1] = (float)(e - (r + 0.5) * 2 * e / HeatSide);
            }
        var logits = _d.Forward(grid).Data;
        var heat = new float[logits.Length];
        if (Settings.Objective == GanObjective.Standard)
            for (int i = 0; i < heat.Length; i++) heat[i] = MathF.Round(1f / (1f + MathF.Exp(-logits[i])), 3);
        else
        {
            // A score, not a probability: shown scaled to this view's lowest (0) and highest (1) value.
            float low = logits.Min(), range = Math.Max(logits.Max() - low, 1e-6f);
            for (int i = 0; i < heat.Length; i++) heat[i] = MathF.Round((logits[i] - low) / range, 3);
        }
        return heat;
    }

    // The direction each of these generated points is pushed by G's next update: −∂(G's loss)/∂x at the point,
    // through the current D. (x, y, dx, dy) per point.
    private float[] GeneratorGradients(ReadOnlySpan<float> points)
    {
        var x = Tensor.FromArray(points.ToArray(), points.Length / 2, 2);
        x.RequiresGrad = true;
        var tape = new Tape();
        using (tape.Begin())
        using (_d.Freeze())
            tape.Backward(GanLosses.Generator(Settings.Objective, _d.Forward(x), Settings.Loss));
        var arrows = new float[2 * points.Length];
        for (int i = 0; i < points.Length / 2; i++)
        {
            arrows[4 * i] = points[2 * i];
            arrows[4 * i + 1] = points[2 * i + 1];
            // The loss is a mean over the points: undo the 1/n so an arrow does not shrink with how many are drawn.
            arrows[4 * i + 2] = -x.Grad![2 * i] * points.Length / 2;
            arrows[4 * i + 3] = -x.Grad![2 * i + 1] * points.Length / 2;
        }
        return Round(arrows);
    }

    // G on a grid of z: the first two coordinates over the prior's bulk, the rest 0 (a line when z is 1-D).
    private float[] Manifold()
    {
        float span = Settings.Prior switch { NoisePrior.Gaussian => 2f, NoisePrior.UniformUnitVariance => MathF.Sqrt(3f), NoisePrior.UniformSymmetric => 1f, _ => 0.5f };
        float centre = Settings.Prior == NoisePrior.UniformUnit ? 0.5f : 0f;
        int nz = Settings.NoiseDim, side = nz >= 2 ? ManifoldSide : 2 * ManifoldSide + 1, count = nz >= 2 ? side * side : side;
        var z = new Tensor(count, nz);
        for (int i = 0; i < count; i++)
        {
            int a = i % side, b = i / side;
            z.Data[i * nz] = centre + span * (2f * a / (side - 1) - 1f);
            if (nz >= 2) z.Data[i * nz + 1] = centre + span * (2f * b / (side - 1) - 1f);
        }
        return Round(_g.Forward(z).Data);
    }

    private GaussianMixture2D? Mixture() => Settings.Data switch
    {
        "drawn" => _drawn.Count == 0 ? null : new GaussianMixture2D([.. _drawn], DrawnStd),
        "gaussian" => new GaussianMixture2D([(0.0, 0.0)], 1.0),
        var layout => GaussianMixture2D.FromLayout(layout),
    };

    private Optimizer Optimizer(Module net, float rate) => Settings.Optimizer == "sgd"
        ? new Sgd(net.NamedParameters(), Schedule.Constant(rate))
        : new Adam(net.NamedParameters(), Schedule.Constant(rate), 0.5f, 0.999f);

    // Three decimals are finer than a pixel of the page and keep a frame's JSON a few tens of kB.
    private static float[] Round(ReadOnlySpan<float> values)
    {
        var rounded = new float[values.Length];
        for (int i = 0; i < values.Length; i++) rounded[i] = MathF.Round(values[i], 3);
        return rounded;
    }
}

/// <summary>One point of the lab's history: coverage and D's outputs after an iteration.</summary>
public sealed record CoveragePoint(long Iteration, int ModesCovered, double HighQualityFraction, float MeanDReal, float MeanDFake);

/// <summary>What the 2-D lab page draws at one moment; built on the engine's thread, immutable after.</summary>
public sealed record LabFrame : ILabFrame
{
    /// <summary>Grows by one per published frame; a page asks for frames newer than the one it has.</summary>
    public long Version { get; init; }

    /// <summary>The settings in force.</summary>
    public required LabSettings Settings { get; init; }

    /// <summary>Completed iterations.</summary>
    public long Iterations { get; init; }

    /// <summary>D updates so far.</summary>
    public long DiscriminatorSteps { get; init; }

    /// <summary>G updates so far.</summary>
    public long GeneratorSteps { get; init; }

    /// <summary>Whether the session is playing.</summary>
    public bool Playing { get; init; }

    /// <summary>The view is [−Extent, Extent]².</summary>
    public double Extent { get; init; }

    /// <summary>A note for the user (e.g. nothing to train on yet), or null.</summary>
    public string? Message { get; init; }

    /// <summary>The data's mode centres, [x, y] each.</summary>
    public required double[][] Modes { get; init; }

    /// <summary>Real points, x0 y0 x1 y1 ….</summary>
    public required float[] Real { get; init; }

    /// <summary>Generated points from a fixed z set, x0 y0 ….</summary>
    public required float[] Fake { get; init; }

    /// <summary>Side of the heat map grid.</summary>
    public int HeatSide { get; init; }

    /// <summary>D(x) on the grid, rows from the top.</summary>
    public required float[] Heat { get; init; }

    /// <summary>(x, y, dx, dy) per arrow: where G's next update pushes a generated point.</summary>
    public required float[] Arrows { get; init; }

    /// <summary>Side of the z grid (points per manifold row).</summary>
    public int ManifoldSide { get; init; }

    /// <summary>G on the z grid, x0 y0 …, row-major.</summary>
    public required float[] Manifold { get; init; }

    /// <summary>D's loss on its last step.</summary>
    public float DiscriminatorLoss { get; init; }

    /// <summary>G's loss on its last step (null before the first).</summary>
    public float? GeneratorLoss { get; init; }

    /// <summary>Mean D on the last real batch.</summary>
    public float MeanDReal { get; init; }

    /// <summary>Mean D on the last generated batch.</summary>
    public float MeanDFake { get; init; }

    /// <summary>Modes with at least 10 % of their fair share of good samples (of 1 000).</summary>
    public int ModesCovered { get; init; }

    /// <summary>Modes of the data.</summary>
    public int ModeCount { get; init; }

    /// <summary>Samples within 3σ of a mode.</summary>
    public double HighQualityFraction { get; init; }

    /// <summary>Coverage and D's outputs over the recent iterations.</summary>
    public required CoveragePoint[] History { get; init; }
}
