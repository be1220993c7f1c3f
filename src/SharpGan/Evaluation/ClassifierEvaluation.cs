using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Data;
using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Evaluation;

/// <summary>A classifier's test result: errors, the confusion matrix (row: true class, column: predicted) and accuracy by class.</summary>
public sealed record ClassificationResult(int Errors, int Count, int[,] Confusion)
{
    /// <summary>Errors / count.</summary>
    public double ErrorRate => (double)Errors / Count;

    /// <summary>Fraction of each true class predicted right.</summary>
    public double[] AccuracyByClass => Enumerable.Range(0, Confusion.GetLength(0)).Select(c =>
    {
        int total = Enumerable.Range(0, Confusion.GetLength(1)).Sum(p => Confusion[c, p]);
        return total == 0 ? double.NaN : (double)Confusion[c, c] / total;
    }).ToArray();
}

/// <summary>Scores a module whose outputs are class logits (N, K) on a labelled dataset.</summary>
public static class ClassifierEvaluation
{
    /// <summary>Runs <paramref name="classifier"/> in eval mode (no dropout or noise) over <paramref name="data"/>, 500 rows at a time.</summary>
    public static ClassificationResult Evaluate(Module classifier, ImageDataset data, int classes)
    {
        bool wasTraining = classifier.IsTraining;
        classifier.Eval();
        var confusion = new int[classes, classes];
        int errors = 0;
        try
        {
            const int chunk = 500;
            for (int start = 0; start < data.Count; start += chunk)
            {
                int n = Math.Min(chunk, data.Count - start);
                var x = Tensor.FromArray(data.Pixels.AsSpan(start * data.Dimension, n * data.Dimension).ToArray(), n, data.Dimension);
                var logits = classifier.Forward(x).Data;
                for (int i = 0; i < n; i++)
                {
                    int predicted = TensorPrimitives.IndexOfMax(logits.AsSpan(i * classes, classes)), truth = data.Labels[start + i];
                    confusion[truth, predicted]++;
                    if (predicted != truth) errors++;
                }
            }
        }
        finally { classifier.Train(wasTraining); }
        return new ClassificationResult(errors, data.Count, confusion);
    }
}
