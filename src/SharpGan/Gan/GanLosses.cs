using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// The costs of PAPER §4, all from logits through the stable BCE; the later objectives (<see cref="GanObjective"/>) from
/// D's raw outputs; and the gradient penalties, which differentiate D's output with respect to its input inside a loss.
/// </summary>
public static class GanLosses
{
    /// <summary>
    /// D's cost on a batch whose first half is real and second half fake:
    /// 0.5·(BCE(D(x), 1) + BCE(D(G(z)), 0)) — the mean BCE over the batch against targets [1…1, 0…0].
    /// </summary>
    public static Tensor Discriminator(Tensor logitsRealThenFake, Tensor targetsOnesThenZeros) =>
        Ops.BinaryCrossEntropyWithLogits(logitsRealThenFake, targetsOnesThenZeros);

    /// <summary>G's cost on D's logits for G(z).</summary>
    public static Tensor Generator(Tensor logitsFake, GeneratorLoss kind) => kind switch
    {
        GeneratorLoss.NonSaturating => Ops.BinaryCrossEntropyWithLogits(logitsFake, 1f),
        // log(1 − σ(x)) = −BCE(x, 0), so minimising mean log(1 − D) is minimising −BCE(x, 0).
        GeneratorLoss.Minimax => Ops.Scale(Ops.BinaryCrossEntropyWithLogits(logitsFake, 0f), -1f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown generator loss"),
    };

    /// <summary>
    /// D's cost under <paramref name="objective"/> from its outputs on the real batch and the fake batch (each (m, 1)).
    /// The standard one equals <see cref="Discriminator(Tensor, Tensor)"/> on the two halves.
    /// </summary>
    public static Tensor Discriminator(GanObjective objective, Tensor real, Tensor fake) => objective switch
    {
        GanObjective.Standard => Ops.Scale(Ops.Add(Ops.BinaryCrossEntropyWithLogits(real, 1f), Ops.BinaryCrossEntropyWithLogits(fake, 0f)), 0.5f),
        GanObjective.Hinge => Ops.Add(Ops.Mean(Ops.ReLU(Ops.AddScalar(Ops.Scale(real, -1f), 1f))), Ops.Mean(Ops.ReLU(Ops.AddScalar(fake, 1f)))),
        GanObjective.Wasserstein => Ops.Add(Ops.Mean(fake), Ops.Scale(Ops.Mean(real), -1f)),
        GanObjective.LeastSquares => Ops.Scale(Ops.Add(Ops.Mean(Square(Ops.AddScalar(real, -1f))), Ops.Mean(Square(fake))), 0.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "unknown objective"),
    };

    /// <summary>G's cost under <paramref name="objective"/> from D's outputs on G(z); the standard game uses <paramref name="kind"/>.</summary>
    public static Tensor Generator(GanObjective objective, Tensor fake, GeneratorLoss kind) => objective switch
    {
        GanObjective.Standard => Generator(fake, kind),
        GanObjective.Hinge or GanObjective.Wasserstein => Ops.Scale(Ops.Mean(fake), -1f),
        GanObjective.LeastSquares => Ops.Scale(Ops.Mean(Square(Ops.AddScalar(fake, -1f))), 0.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(objective), objective, "unknown objective"),
    };

    private static Tensor Square(Tensor x) => Ops.Multiply(x, x);

    /// <summary>
    /// WGAN-GP's penalty (Gulrajani et al. 2017): weight·mean over rows of (‖∇D(x̂)‖ − 1)² at x̂ = ε·real + (1 − ε)·fake,
    /// one ε ~ U(0, 1) per row given in <paramref name="mixing"/>. Only the first <paramref name="imageColumns"/> columns are
    /// mixed and differentiated: a conditional batch's label columns after them are the real rows' own. Must run on a
    /// second-order tape (<see cref="Tape.Begin(bool)"/>); the returned penalty is on it, ready for <see cref="Tape.Backward"/>.
    /// </summary>
    public static Tensor WassersteinGradientPenalty(Tape tape, Module discriminator, Tensor real, Tensor fake, ReadOnlySpan<float> mixing, float weight, int imageColumns)
    {
        Shapes.RequireSameShape(real, fake, nameof(fake));
        int rows = real.Shape[0], width = real.Shape[1];
        if (mixing.Length != rows) throw new ArgumentException($"{rows} rows need {rows} mixing weights, got {mixing.Length}", nameof(mixing));
        var mixed = Tensor.Uninitialized(rows, width);
        for (int i = 0; i < rows; i++)
        {
            float e = mixing[i];
            for (int j = i * width, end = j + imageColumns; j < end; j++) mixed.Data[j] = e * real.Data[j] + (1 - e) * fake.Data[j];
            real.Data.AsSpan(i * width + imageColumns, width - imageColumns).CopyTo(mixed.Data.AsSpan(i * width + imageColumns));
        }
        mixed.RequiresGrad = true;
        var g = ImageGradient(tape, discriminator.Forward(mixed), mixed, imageColumns);
        return Ops.Scale(Ops.Mean(Ops.Pow(Ops.AddScalar(Ops.RowNorm(g), -1f), 2f)), weight);
    }

    /// <summary>
    /// R1 (Mescheder et al. 2018): (γ/2)·mean over rows of ‖∇ₓD(x)‖² on the real batch, from D's outputs
    /// <paramref name="realOutputs"/> computed on <paramref name="realInput"/> (a tensor that requires a gradient).
    /// </summary>
    public static Tensor R1Penalty(Tape tape, Tensor realOutputs, Tensor realInput, float gamma, int imageColumns)
    {
        var g = ImageGradient(tape, realOutputs, realInput, imageColumns);
        return Ops.Scale(Ops.Mean(Ops.RowSum(Ops.Multiply(g, g))), gamma / 2);
    }

    // ∇ of Σ outputs with respect to the image columns of input, on the tape (so a penalty on it trains D).
    private static Tensor ImageGradient(Tape tape, Tensor outputs, Tensor input, int imageColumns)
    {
        var g = tape.Gradients(Ops.Sum(outputs), [input], createGraph: true)[0];
        return imageColumns < input.Shape[1] ? Ops.SliceColumns(g, 0, imageColumns) : g;
    }

    /// <summary>Mean of the raw outputs over rows [start, start+count): the batch's mean D score (objectives other than the standard one).</summary>
    public static float MeanOutput(ReadOnlySpan<float> outputs, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++) sum += outputs[i];
        return (float)(sum / count);
    }

    /// <summary>Mean of σ(logit) over rows [start, start+count): the batch's mean D output.</summary>
    public static float MeanProbability(ReadOnlySpan<float> logits, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++) sum += 1.0 / (1.0 + Math.Exp(-logits[i]));
        return (float)(sum / count);
    }
}
