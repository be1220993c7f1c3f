using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>Σ x over all elements, shape [1].</summary>
    public static Tensor Sum(Tensor x) => Reduce(x, 1f);

    /// <summary>Mean of x over all elements, shape [1].</summary>
    public static Tensor Mean(Tensor x) => Reduce(x, 1f / x.Length);

    // y = scale·Σx; dx += scale·dy everywhere.
    private static Tensor Reduce(Tensor x, float scale)
    {
        var y = Tensor.Uninitialized(1);
        double sum = 0;
        foreach (float v in x.Data) sum += v;
        y.Data[0] = (float)(sum * scale);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => TensorPrimitives.Add(x.EnsureGrad(), y.Grad![0] * scale, x.EnsureGrad()));
        return y;
    }

    /// <summary>
    /// Mean binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the logits in
    /// the numerically stable form. Gradients flow to the logits only. Returns shape [1].
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        ShapeUtil.RequireSameShape(logits, targets, nameof(targets));
        var y = Tensor.Uninitialized(1);
        y.Data[0] = LossKernels.BceWithLogitsMean(logits.Data, targets.Data);
        if (!Tape.ShouldRecord(logits)) return y;
        Tape.Record(y, () => LossKernels.BceWithLogitsBackward(logits.Data, targets.Data, y.Grad![0] / logits.Length, logits.EnsureGrad()));
        return y;
    }

    /// <summary>Mean BCE against a constant target (1 for "real", 0 for "fake").</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, float target)
    {
        if (!(target >= 0f && target <= 1f)) throw new ArgumentOutOfRangeException(nameof(target), target, "target must be in [0, 1]");
        var targets = Tensor.Uninitialized(logits.Shape);
        Array.Fill(targets.Data, target);
        return BinaryCrossEntropyWithLogits(logits, targets);
    }
}
