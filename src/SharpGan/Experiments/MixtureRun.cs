using SharpGan.Evaluation;
using SharpGan.IO;
using SharpGan.Imaging;
using SharpGan.Tensors;

namespace SharpGan.Experiments;

/// <summary>Runs a mixture experiment with scatter plots at four points of training.</summary>
public static class MixtureRun
{
    /// <summary>Trains, writing DIR/mixture.svg; returns the final coverage.</summary>
    public static ModeCoverage Run(MixtureOptions options, string outDir, int sampleCount = 2500)
    {
        options.Validate();
        Directory.CreateDirectory(outDir);
        var exp = new MixtureExperiment(options);
        var data = new float[2 * 1000];
        exp.Mixture.Sample(data, new RandomStreams(options.Seed)[RandomStream.SampleNoise]);
        var dataPoints = Points(data);
        var panels = new List<ScatterPanel>();
        ModeCoverage coverage = ModeCoverage.Measure(exp.Mixture, exp.Samples(sampleCount));
        int done = 0;
        for (int q = 1; q <= 4; q++)
        {
            int target = options.Steps * q / 4;
            exp.Train(target - done);
            done = target;
            var samples = exp.Samples(sampleCount);
            coverage = ModeCoverage.Measure(exp.Mixture, samples);
            panels.Add(new ScatterPanel($"step {done}", $"{coverage.ModesCovered}/{coverage.Modes} modes, {coverage.HighQualityFraction:P0} within 3σ", dataPoints, Points(samples.AsSpan(0, 2 * 1000))));
        }
        double extent = options.Layout == "ring8" ? 3 : 6;
        Charts.WriteScatter(panels, extent, Path.Combine(outDir, "mixture.png"), Path.Combine(outDir, "mixture.svg"));
        return coverage;
    }

    private static List<(float, float)> Points(ReadOnlySpan<float> xy)
    {
        var list = new List<(float, float)>(xy.Length / 2);
        for (int i = 0; i < xy.Length / 2; i++) list.Add((xy[2 * i], xy[2 * i + 1]));
        return list;
    }
}
