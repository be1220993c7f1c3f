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
        Tape.Record(y, () => TensorPrimitives.Add(x.EnsureGrad(), y.Grad![0] * scale, x.EnsureGrad()), Tape.SecondOrder ? (dy, sink) => sink.Add(x, Fill(dy, x.Shape, scale)) : null);
        return y;
    }

    /// <summary>
    /// Mean binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the logits in
    /// the numerically stable form. Gradients flow to the logits only. Returns shape [1].
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        Shapes.RequireSameShape(logits, targets, nameof(targets));
        var y = Tensor.Uninitialized(1);
        y.Data[0] = LossKernels.BceWithLogitsMean(logits.Data, targets.Data);
        if (!Tape.ShouldRecord(logits)) return y;
        Tape.Record(y, () => LossKernels.BceWithLogitsBackward(logits.Data, targets.Data, y.Grad![0] / logits.Length, logits.EnsureGrad()),
            (dy, sink) => sink.Add(logits, ScaleBy(Scale(Add(Sigmoid(logits), Scale(targets, -1f)), 1f / logits.Length), dy))); // (σ(l) − t)·dy / n
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

    /// <summary>
    /// Mean cross-entropy of softmax(logits) against integer class labels: logits (N, C), labels in [0, C).
    /// Uses log-softmax with the row maximum subtracted, so large logits neither overflow nor lose precision.
    /// Gradient to the logits: (softmax − one-hot) / N.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<byte> labels)
    {
        Shapes.RequireRank2(logits, nameof(logits));
        int n = logits.Shape[0], c = logits.Shape[1];
        if (labels.Length != n) throw new ArgumentException($"{n} rows of logits but {labels.Length} labels", nameof(labels));
        var y = Tensor.Uninitialized(1);
        float[] probabilities = TensorArena.RentFloats(n * c);
        byte[] kept = labels.ToArray();
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            if (kept[i] >= c) throw new ArgumentOutOfRangeException(nameof(labels), kept[i], $"label {kept[i]} at row {i} is not below the {c} classes");
            var row = logits.Data.AsSpan(i * c, c);
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(row[j] - max);
            double logSum = Math.Log(sum);
            total += logSum - (row[kept[i]] - max);
            for (int j = 0; j < c; j++) probabilities[i * c + j] = (float)Math.Exp(row[j] - max - logSum);
        }
        y.Data[0] = (float)(total / n);
        if (!Tape.ShouldRecord(logits)) return y;
        Tape.Record(y, () =>
        {
            float scale = y.Grad![0] / n;
            var dx = logits.EnsureGrad();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < c; j++) dx[i * c + j] += scale * (probabilities[i * c + j] - (j == kept[i] ? 1f : 0f));
        });
        return y;
    }
}
