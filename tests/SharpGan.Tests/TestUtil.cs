using SharpGan.Autograd;
using SharpGan.IO;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Assertions and helpers shared by the engine tests.</summary>
internal static class TestUtil
{
    /// <summary>Runs <paramref name="body"/> at 1 and then 2 threads, restoring the thread count after.</summary>
    public static void AtOneAndTwoThreads(Action body)
    {
        int saved = Engine.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Engine.Threads = threads;
                body();
            }
        }
        finally { Engine.Threads = saved; }
    }

    public static Tensor Random(Rng rng, float scale, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillGaussian(t.Data, 0, scale);
        return t;
    }

    public static Tensor Param(Rng rng, float scale, params int[] shape)
    {
        var t = Random(rng, scale, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>
    /// |actual − expected| ≤ rel·max(|expected|, floor) elementwise, where floor = 1% of the largest |expected|,
    /// so entries that are nearly zero are judged on the array's scale, not their own.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rel, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double maxAbs = 0;
        foreach (float e in expected) maxAbs = Math.Max(maxAbs, Math.Abs(e));
        double floor = Math.Max(1e-2 * maxAbs, 1e-12);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = rel * Math.Max(Math.Abs(expected[i]), floor);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (tolerance {tolerance:E2})");
        }
    }

    /// <summary>
    /// Compares tape gradients of loss() with central finite differences for every element of every input
    /// (at most <paramref name="maxElements"/> per input, spread evenly). Loss is computed in float32, so
    /// eps and tolerance are sized for that: truncation error O(eps²), rounding error O(1e-7/eps).
    /// </summary>
    /// With <paramref name="secondOrder"/> the loss may take gradients itself (<see cref="Tape.Gradients"/>): every
    /// evaluation then runs on a second-order tape.
    public static void CheckGradients(Func<Tensor> loss, Tensor[] inputs, float eps = 1e-2f, double tolerance = 2e-2, int maxElements = 60, bool secondOrder = false)
    {
        foreach (var t in inputs) { t.RequiresGrad = true; t.Grad = null; }
        var analytic = new float[inputs.Length][];
        double Evaluate()
        {
            if (!secondOrder) return loss().Item();
            using var tape = new Tape().Begin(secondOrder: true);
            return loss().Item();
        }
        using (var tape = new Tape().Begin(secondOrder))
        {
            tape.Backward(loss());
            for (int n = 0; n < inputs.Length; n++) analytic[n] = (float[])(inputs[n].Grad ?? new float[inputs[n].Length]).Clone();
        }
        for (int n = 0; n < inputs.Length; n++)
        {
            var data = inputs[n].Data;
            int stride = Math.Max(1, data.Length / maxElements);
            for (int i = 0; i < data.Length; i += stride)
            {
                float saved = data[i];
                data[i] = saved + eps; double plus = Evaluate();
                data[i] = saved - eps; double minus = Evaluate();
                data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double error = Math.Abs(numeric - analytic[n][i]);
                if (error > tolerance * Math.Max(1.0, Math.Abs(numeric)))
                    Assert.Fail($"input {n} [{Shapes.Format(inputs[n].Shape)}] element {i}: analytic {analytic[n][i]:G6}, numeric {numeric:G6}");
            }
        }
    }

    public static SafeTensors.Content Fixture(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", name + ".safetensors");
        Assert.True(File.Exists(path), $"fixture {path} is missing: run /usr/bin/python3 tests/fixtures/make_fixtures.py");
        return SafeTensors.Read(path);
    }
}
