using SharpGan.Gan;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The paper's claims on toy data, for fixed seeds.</summary>
public class ToyExperimentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DiscriminatorConvergesToTheOptimalOneForAFrozenGenerator(long seed)
    {
        var check = Figure1Run.OptimalDiscriminatorCheck(new Toy1DOptions { Seed = seed });
        Assert.True(check.MaxAbsDMinusOptimal <= 0.03, $"max |D − D*| = {check.MaxAbsDMinusOptimal:F4}");
        // The trained D attains max_D V, and max_D V = −log 4 + 2·JSD.
        Assert.Equal(check.ValueMinusNegLog4, check.TrainedValueMinusNegLog4, 2);
        Assert.Equal(2 * check.Jsd, check.ValueMinusNegLog4, 3);
    }

    [Fact]
    public void TheOneDimensionalGameDrivesTheJsdDown()
    {
        var exp = new Toy1DExperiment(new Toy1DOptions { Seed = 2 });
        double before = exp.Snapshot("start").Jsd;
        exp.Train(6000);
        var end = exp.Snapshot("end");
        Assert.True(end.Jsd < 0.05 && end.Jsd < before / 3, $"JSD {before:F3} → {end.Jsd:F3}");
        Assert.Equal(-Math.Log(4) + 2 * end.Jsd, end.ValueAtOptimum, 3);
    }

    [Fact]
    public void AlgorithmOneCoversTheRingAndOvertrainingGCollapsesIt()
    {
        var dir = Directory.CreateTempSubdirectory("sharpgan-toy-").FullName;
        try
        {
            var covered = MixtureRun.Run(new MixtureOptions { Seed = 2, GeneratorSteps = 1 }, Path.Combine(dir, "a"));
            var collapsed = MixtureRun.Run(new MixtureOptions { Seed = 2, GeneratorSteps = 5 }, Path.Combine(dir, "b"));
            Assert.True(covered.ModesCovered >= 7, $"Algorithm 1 covered {covered.ModesCovered}/8");
            Assert.True(collapsed.ModesCovered <= 2, $"5 G steps per D step still covered {collapsed.ModesCovered}/8");
            Assert.True(collapsed.KlToUniform > covered.KlToUniform + 1);
            Assert.True(File.Exists(Path.Combine(dir, "a", "mixture.svg")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
