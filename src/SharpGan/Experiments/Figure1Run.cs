using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Imaging;

namespace SharpGan.Experiments;

/// <summary>The numbers `sharpgan toy figure1 --json` reports.</summary>
/// <param name="MaxAbsDMinusHalf">max |D(x) − ½| over the central 95% of p_data, final state.</param>
/// <param name="Jsd">JSD(p_data ‖ p_g) in nats, final state.</param>
/// <param name="ValueMinusNegLog4">max_D V(G, D) − (−log 4) = V(D*, G) + log 4, final state (theory: 2·JSD).</param>
/// <param name="OptimalD">The optimal-discriminator check with G frozen at a known map.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record Figure1Result(double MaxAbsDMinusHalf, double Jsd, double ValueMinusNegLog4, OptimalDCheck OptimalD, double Seconds);

/// <summary>
/// D trained to convergence against a frozen generator with known p_g = N(μ_g, σ_g²): how far D is from
/// D* = p_data/(p_data + p_g) over the central 95% of (p_data + p_g)/2.
/// </summary>
public sealed record OptimalDCheck(double MaxAbsDMinusOptimal, double Jsd, double ValueMinusNegLog4, double TrainedValueMinusNegLog4);

/// <summary>
/// Runs the Figure-1 experiment: the first 5% of training → (a), near convergence but visibly off (the game
/// converges within ~10%); D alone toward D* → (b); a few G steps against that D →
/// (c); the rest of training → (d). Writes figure1.svg (the four panels) and training.svg (mean D on data and
/// samples, JSD, max_D V against −log 4 over training).
/// </summary>
public static class Figure1Run
{
    /// <summary>Runs everything into <paramref name="outDir"/>.</summary>
    public static Figure1Result Run(Toy1DOptions options, string outDir, Action<string>? log = null)
    {
        options.Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        var exp = new Toy1DExperiment(options);
        var dReal = new List<(double, double)>(); var dFake = new List<(double, double)>();
        var jsd = new List<(double, double)>(); var value = new List<(double, double)>();
        int every = Math.Max(1, options.Steps / 60);
        void Record(int step, StepStats s)
        {
            if (step % every != 0) return;
            dReal.Add((step, s.MeanDReal));
            dFake.Add((step, s.MeanDFake));
            var snap = exp.Snapshot("");
            jsd.Add((step, snap.Jsd));
            value.Add((step, snap.ValueAtOptimum));
        }
        int early = Math.Max(1, options.Steps / 20);
        exp.Train(early, Record);
        var a = exp.Snapshot("(a) during training");
        log?.Invoke($"(a) step {exp.StepsDone}: JSD {a.Jsd:F4}");
        exp.TrainDiscriminatorOnly(2000, options.LearningRate / 100);
        var b = exp.Snapshot("(b) D trained toward D*");
        log?.Invoke($"(b) D alone, max|D − D*| {b.MaxAbsDMinusOptimal:F3}");
        exp.TrainGeneratorOnly(25);
        var c = exp.Snapshot("(c) after G updates");
        exp.Train(options.Steps - early, Record);
        var d = exp.Snapshot("(d) equilibrium");
        log?.Invoke($"(d) step {exp.StepsDone}: JSD {d.Jsd:F4}, max|D − ½| {d.MaxAbsDMinusHalf:F3}");
        Figure1Chart.Write([a, b, c, d], Path.Combine(outDir, "figure1.png"), Path.Combine(outDir, "figure1.svg"));
        // Each quantity within what it can take: D in [0, 1], JSD in [0, log 2], V(D*, G) in [−log 4, 0].
        Charts.WriteLines("iteration",
        [
            new ChartPanel("Mean discriminator output", "mean D", [new ChartSeries("D(x)", "#2ca02c", dReal), new ChartSeries("D(G(z))", "#ff7f0e", dFake)], [(0.5, "1/2")]) { Possible = (0, 1) },
            new ChartPanel("JSD(p_data ‖ p_g)", "nats", [new ChartSeries("JSD", "#d62728", jsd)], [(0, "0")]) { Possible = (0, Math.Log(2)) },
            new ChartPanel("max_D V(G, D) = V(D*, G)", "value", [new ChartSeries("V(D*, G)", "#1f77b4", value)], [(Toy1DSnapshot.NegLog4, "−log 4")]) { Possible = (Toy1DSnapshot.NegLog4, 0) },
        ], Path.Combine(outDir, "training.png"), Path.Combine(outDir, "training.svg"));
        var check = OptimalDiscriminatorCheck(options);
        return new Figure1Result(d.MaxAbsDMinusHalf, d.Jsd, d.ValueAtOptimum - Toy1DSnapshot.NegLog4, check, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// G frozen at x = (μ − σ) + 1.4σ·Φ⁻¹(z), so p_g = N(μ − σ, (1.4σ)²) exactly; D trained alone for 4000 steps with its
    /// learning rate annealed to 1% of the start.
    /// </summary>
    public static OptimalDCheck OptimalDiscriminatorCheck(Toy1DOptions options)
    {
        var frozen = new Toy1DExperiment.GaussianQuantileGenerator(options.DataMean - options.DataStd, 1.4 * options.DataStd);
        var exp = new Toy1DExperiment(options, frozen);
        exp.TrainDiscriminatorOnly(4000, options.LearningRate / 100);
        var s = exp.Snapshot("optimal D");
        return new OptimalDCheck(s.MaxAbsDMinusOptimal, s.Jsd, s.ValueAtOptimum - Toy1DSnapshot.NegLog4, s.ValueAtTrainedD - Toy1DSnapshot.NegLog4);
    }
}
