using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// The whole semi-supervised iteration against PyTorch (tests/fixtures/make_semi_step_fixture.py): from the same weights
/// on the same batches, three D and G updates (Adam, weight normalisation with held hidden scales, BatchNorm in G,
/// feature matching) and the moving average of D land where PyTorch's do. Each layer and loss has its own fixture;
/// this checks that they are put together as the reference puts them.
/// </summary>
public class SemiSupervisedStepTests
{
    [Fact]
    public void ThreeIterationsMatchPyTorch()
    {
        var f = TestUtil.Fixture("semi_step");
        var d = new SemiSupervisedDiscriminator(16, 4, new Rng(1), inputNoise: 0f, hiddenNoise: 0f, hidden: [12, 10, 8]);
        var g = new SemiSupervisedGenerator(5, 16, hidden: 9);
        var average = new SemiSupervisedDiscriminator(16, 4, new Rng(2), hidden: [12, 10, 8]);
        Load(d, f, "initial.d.");
        Load(g, f, "initial.g.");
        var averaging = new GeneratorAverage(d, average, 0.9);
        averaging.Clear();
        var step = new SemiSupervisedStep(d, g, new Adam(d.NamedParameters(), 0.003f, 0.5f), new Adam(g.NamedParameters(), 0.003f, 0.5f), 0.5f, featureMatching: true);
        for (int it = 0; it < 3; it++)
        {
            var labels = f.Tensors[$"batch{it}.labels"].Data.Select(v => (byte)v).ToArray();
            float dLoss = step.Discriminator(f.Tensors[$"batch{it}.labelled"], labels, f.Tensors[$"batch{it}.unlabelled"], f.Tensors[$"batch{it}.z_d"]);
            averaging.Update();
            float gLoss = step.Generator(f.Tensors[$"batch{it}.unlabelled"], f.Tensors[$"batch{it}.z_g"]);
            Assert.Equal(f.Tensors[$"loss{it}.d"].Data[0], dLoss, 1e-5f);
            Assert.Equal(f.Tensors[$"loss{it}.g"].Data[0], gLoss, 1e-5f);
        }
        AssertState(d, f, "final.d.");
        AssertState(g, f, "final.g.");
        AssertState(average, f, "final.average.");
    }

    private static void Load(Module m, SafeTensors.Content f, string prefix)
    {
        foreach (var (name, value) in m.NamedState()) f.Tensors[prefix + name].Data.CopyTo(value.Data, 0);
    }

    // Adam's first steps are ±lr wherever a gradient is not tiny, so a weight that moved 3·lr = 0.009 shows any update gone
    // astray; 1e-5 is float32 rounding over three updates.
    private static void AssertState(Module m, SafeTensors.Content f, string prefix)
    {
        foreach (var (name, value) in m.NamedState())
            TestUtil.AssertClose(f.Tensors[prefix + name].Data, value.Data, 1e-5, prefix + name);
    }
}
