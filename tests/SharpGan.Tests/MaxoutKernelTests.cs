using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;
using Xunit;

namespace SharpGan.Tests;

public class MaxoutKernelTests
{
    // The definition, one unit at a time: the first largest piece wins; a NaN piece never does.
    private static (float[] Y, int[] Argmax) Reference(float[] z, int rows, int units, int pieces)
    {
        var y = new float[rows * units]; var argmax = new int[rows * units];
        for (int i = 0; i < rows * units; i++)
        {
            int best = i * pieces;
            for (int p = 1; p < pieces; p++) if (z[i * pieces + p] > z[best]) best = i * pieces + p;
            (y[i], argmax[i]) = (z[best], best);
        }
        return (y, argmax);
    }

    [Theory]
    [InlineData(3, 240, 5)]   // the paper's D: whole vectors of 8 units
    [InlineData(4, 13, 2)]    // a vector and a scalar tail
    [InlineData(2, 7, 3)]     // the scalar path only
    [InlineData(1, 17, 1)]    // one piece: maxout is the identity
    public void EqualsTheDefinitionWithTiesAndNaN(int rows, int units, int pieces)
    {
        var rng = new Rng(4);
        var z = new float[rows * units * pieces];
        rng.FillUniform(z, -1, 1);
        // Ties (a later piece equal to the best so far must not win) and NaNs among the pieces.
        for (int i = 0; i < z.Length; i += 7) z[i] = 0.5f;
        for (int i = 3; i < z.Length; i += 11) z[i] = 0.5f;
        for (int i = 5; i < z.Length; i += 29) z[i] = float.NaN;
        var y = new float[rows * units]; var argmax = new int[rows * units];
        MaxoutKernels.Forward(z, y, argmax, rows, units, pieces);
        var (expectedY, expectedArgmax) = Reference(z, rows, units, pieces);
        Assert.Equal(expectedArgmax, argmax);
        Assert.Equal(expectedY, y);
    }
}
