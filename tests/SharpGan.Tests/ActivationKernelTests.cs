using System.Numerics.Tensors;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;
using Xunit;

namespace SharpGan.Tests;

public class ActivationKernelTests
{
    // ReLU and sigmoid run their own 512-bit loop (compiled optimised on first use) instead of TensorPrimitives'; the
    // values must be the library's bit for bit — every length's tail (an overlapping last vector), in place or not, on
    // the special values, and across the pieces a long span is cut into for the threads.
    [Theory]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.Sigmoid)]
    public void ForwardEqualsTheLibraryBitForBit(Activation activation)
    {
        var rng = new Rng(5);
        float[] special = [float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 88.8f, -88.8f, 1e-30f, -104f, float.Epsilon];
        foreach (int n in Enumerable.Range(1, 70).Concat([1_000_003]))
        {
            var x = new float[n];
            rng.FillGaussian(x);
            for (int i = 0; i < n; i++) x[i] *= 12f;
            for (int i = 0; i < Math.Min(n, special.Length); i++) x[(i * 7) % n] = special[i];
            var expected = new float[n];
            if (activation == Activation.ReLU) TensorPrimitives.Max(x, 0f, expected);
            else TensorPrimitives.Sigmoid(x, expected);

            var y = new float[n];
            ActivationKernels.Forward(activation, 0f, x, y);
            Assert.True(Bits(expected).SequenceEqual(Bits(y)), $"{activation}, {n} elements");
            var inPlace = (float[])x.Clone();
            ActivationKernels.Forward(activation, 0f, inPlace, inPlace);
            Assert.True(Bits(expected).SequenceEqual(Bits(inPlace)), $"{activation} in place, {n} elements");
        }
    }

    private static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
}
