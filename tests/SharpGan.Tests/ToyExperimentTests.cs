using SharpGan.Experiments;
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheOneDimensionalGameReachesTheGlobalOptimum(long seed)
    {
        // Issue 5's equilibrium criteria, on Algorithm 1 exactly as `sharpgan toy figure1` trains it.
        var exp = new Toy1DExperiment(new Toy1DOptions { Seed = seed });
        double before = exp.Snapshot("start").Jsd;
        exp.Train(new Toy1DOptions().Steps);
        var end = exp.Snapshot("end");
        Assert.True(before > 0.3, $"the game must start off target, JSD {before:F3}");
        Assert.True(end.MaxAbsDMinusHalf <= 0.05, $"max |D − ½| = {end.MaxAbsDMinusHalf:F4}");
        Assert.True(end.Jsd <= 0.02, $"JSD = {end.Jsd:F5}");
        Assert.True(Math.Abs(end.ValueAtOptimum - Toy1DSnapshot.NegLog4) <= 0.05, $"max_D V − (−log 4) = {end.ValueAtOptimum - Toy1DSnapshot.NegLog4:F5}");
        Assert.Equal(-Math.Log(4) + 2 * end.Jsd, end.ValueAtOptimum, 3);
    }

    [Fact]
    public void OneConfigurationEachCoversEveryModeOfTheRingAndTheGrid()
    {
        // Fixed seeds, as README reports them: Algorithm 1 covers ring8 8/8 after 6 000 steps; R1 (γ 0.1) with 256-unit
        // networks covers grid25 (the plain game reaches 10/25 at best there).
        var dir = Directory.CreateTempSubdirectory("sharpgan-toy-").FullName;
        try
        {
            var ring = MixtureRun.Run(new MixtureOptions { Seed = 1, Steps = 6000 }, Path.Combine(dir, "ring"));
            Assert.True(ring.ModesCovered == 8, $"ring8: {ring.ModesCovered}/8");
            var grid = MixtureRun.Run(new MixtureOptions
            {
                Layout = "grid25", Seed = 1, Steps = 8000, Hidden = 256, LearningRate = 2e-3f,
                Penalty = SharpGan.Gan.GradientPenalty.R1, PenaltyWeight = 0.1f,
            }, Path.Combine(dir, "grid"));
            Assert.True(grid.ModesCovered >= 24, $"grid25: {grid.ModesCovered}/25");
        }
        finally { Directory.Delete(dir, recursive: true); }
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
