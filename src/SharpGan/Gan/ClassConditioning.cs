using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Paper §7, item 1: a conditional GAN adds the class c as an input to both G and D. Here c is a one-hot row of
/// <see cref="Classes"/> values appended to G's noise (G's input is (m, noise_dim + K)) and to D's image (D's input is
/// (m, pixels + K)); the networks decide how they take it in. Labels for generated examples are drawn uniformly from
/// their own random stream; real examples carry their dataset labels.
/// </summary>
public sealed class ClassConditioning
{
    private readonly Rng _labelRng;
    private readonly byte[] _labels;

    /// <summary>Number of classes K.</summary>
    public int Classes { get; }

    /// <summary>Conditioning on <paramref name="classes"/> classes; fake labels from <paramref name="labelRng"/>.</summary>
    public ClassConditioning(int classes, Rng labelRng, int batchSize)
    {
        if (classes is < 2 or > 256) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a conditional GAN needs between 2 and 256 classes");
        (Classes, _labelRng, _labels) = (classes, labelRng ?? throw new ArgumentNullException(nameof(labelRng)), new byte[batchSize]);
    }

    /// <summary>Draws a label per row uniformly and writes its one-hot into the last K columns of <paramref name="generatorInput"/>.</summary>
    public void DrawLabels(Tensor generatorInput)
    {
        for (int i = 0; i < generatorInput.Shape[0]; i++) _labels[i] = (byte)_labelRng.NextInt(Classes);
        WriteOneHot(generatorInput.Data, generatorInput.Shape[0], generatorInput.Shape[1], _labels.AsSpan(0, generatorInput.Shape[0]), Classes);
    }

    /// <summary>D's input for generated rows: G's output beside the one-hot labels G was given (the last K columns of its input).</summary>
    public Tensor DiscriminatorInput(Tensor generated, Tensor generatorInput) =>
        Ops.Concat(1, generated, Ops.SliceColumns(generatorInput, generatorInput.Shape[1] - Classes, Classes));

    /// <summary>
    /// Writes one-hot rows into the last <paramref name="classes"/> columns of a (rows, width) row-major buffer; the
    /// other columns are left as they are. Labels ≥ classes throw.
    /// </summary>
    public static void WriteOneHot(Span<float> rows, int count, int width, ReadOnlySpan<byte> labels, int classes)
    {
        if (labels.Length != count) throw new ArgumentException($"{labels.Length} labels for {count} rows", nameof(labels));
        for (int i = 0; i < count; i++)
        {
            if (labels[i] >= classes) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"label {labels[i]} is not one of the {classes} classes");
            var oneHot = rows.Slice(i * width + width - classes, classes);
            oneHot.Clear();
            oneHot[labels[i]] = 1f;
        }
    }
}
