using SharpGan.Autograd;
using SharpGan.Data;
using SharpGan.IO;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors.Kernels;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Evaluation;

/// <summary>
/// A small CNN trained with SharpGAN itself on MNIST or Fashion-MNIST, whose 256-d penultimate features define the
/// sample-quality metrics (Fréchet distance, precision/recall) and whose predictions give the class histogram:
/// Conv(1→32, 4,2,1) + LeakyReLU → Conv(32→64, 4,2,1) + BatchNorm + LeakyReLU → Linear 3136→256 + ReLU → Linear 256→10.
/// Inputs are 28×28 images in [0, 1], flat (N, 784).
/// </summary>
public sealed class FeatureClassifier
{
    /// <summary>Feature dimension.</summary>
    public const int FeatureDim = 256;

    /// <summary>The "format" metadata of a saved classifier.</summary>
    public const string Format = "sharpgan-classifier/1";

    private readonly Sequential _features;
    private readonly Linear _head;
    private readonly Module _all;

    /// <summary>Dataset the classifier was trained on.</summary>
    public string Dataset { get; }

    /// <summary>Values per image the classifier reads (784 for the 28×28 datasets, 3072 for CIFAR-10).</summary>
    public int ImageDim { get; }

    /// <summary>Builds an untrained classifier (He-initialised) for the catalogue dataset's image shape.</summary>
    public FeatureClassifier(string dataset, Rng rng)
    {
        Dataset = dataset;
        var (h, w, c) = DatasetCatalog.ImageShape(dataset);
        ImageDim = h * w * c;
        // Two stride-2 convs: 28×28 → 7×7, 32×32 → 8×8.
        int flat = 64 * (h / 4) * (w / 4);
        _features = new Sequential(
            new Reshape(c, h, w),
            new Conv2d(c, 32, 4, 2, 1), ActivationLayer.LeakyReLU(0.2f),
            new Conv2d(32, 64, 4, 2, 1, bias: false), new BatchNorm(64), ActivationLayer.LeakyReLU(0.2f),
            new Reshape(flat),
            new Linear(flat, FeatureDim, Activation.ReLU));
        _head = new Linear(FeatureDim, 10);
        _all = new Sequential(_features, _head);
        foreach (var (name, p) in _all.NamedParameters())
            if (p.Shape.Length > 1) Init.HeNormal(p, rng);
    }

    /// <summary>Trains with Adam (lr 1e-3, then 1e-4 for the last third of the epochs), batch 64, dropout 0.5 on the features; reports (epoch, mean loss) after each epoch.</summary>
    public void Train(ImageDataset train, int epochs, Rng rng, Action<int, double>? onEpoch = null)
    {
        const int batch = 64;
        var minibatches = new ShuffledMinibatches(train, batch, rng);
        // The last third of the epochs at a tenth of the rate: settles the weights for a better test accuracy.
        var optimizer = new Adam(_all.NamedParameters(), new PiecewiseConstant(1e-3f, ((long)(epochs - epochs / 3) * minibatches.BatchesPerEpoch, 1e-4f)));
        var x = new Tensor(batch, train.Dimension);
        var labels = new byte[batch];
        var tape = new Tape();
        _all.Train();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double lossSum = 0;
            for (int b = 0; b < minibatches.BatchesPerEpoch; b++)
            {
                minibatches.Next(x, labels);
                optimizer.ZeroGrad();
                using (tape.Begin())
                {
                    // Dropout on the features regularises the head; Features() (eval) never drops.
                    var features = Ops.Dropout(_features.Forward(x), 0.5f, rng);
                    var loss = Ops.SoftmaxCrossEntropy(_head.Forward(features), labels);
                    lossSum += loss.Item();
                    tape.Backward(loss);
                }
                optimizer.Step();
            }
            onEpoch?.Invoke(epoch, lossSum / minibatches.BatchesPerEpoch);
        }
        _all.Eval();
    }

    /// <summary>Penultimate features (count, 256) of images (count, 784) in [0, 1], in eval mode.</summary>
    public float[] Features(ReadOnlySpan<float> images, int count) => Apply(images, count, FeatureDim, x => _features.Forward(x));

    /// <summary>Class probabilities (count, 10).</summary>
    public float[] Probabilities(ReadOnlySpan<float> images, int count) => FeaturesAndProbabilities(images, count).Probabilities;

    /// <summary>Weights and BatchNorm statistics, by name: what its outputs depend on.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState() => _all.NamedState();

    /// <summary>Features (count, 256) and class probabilities (count, 10) from one pass of the network.</summary>
    public (float[] Features, float[] Probabilities) FeaturesAndProbabilities(ReadOnlySpan<float> images, int count)
    {
        var features = Features(images, count);
        return (features, ProbabilitiesOf(features, count));
    }

    // softmax(head(features)) for features (count, 256): the head is one small product, so all rows go at once.
    private float[] ProbabilitiesOf(float[] features, int count)
    {
        _all.Eval();
        float[] probabilities;
        var tape = new Tape();
        using (tape.Begin())
        using (tape.NoGrad())
            probabilities = _head.Forward(Tensor.FromArray(features, count, FeatureDim)).Data.AsSpan(0, count * 10).ToArray();
        for (int i = 0; i < count; i++)
        {
            var row = probabilities.AsSpan(i * 10, 10);
            System.Numerics.Tensors.TensorPrimitives.SoftMax(row, row);
        }
        return probabilities;
    }

    /// <summary>Fraction of images whose most probable class is their label.</summary>
    public double Accuracy(ImageDataset data)
    {
        var p = Probabilities(data.Pixels, data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p.AsSpan(i * 10, 10)) == data.Labels[i]) correct++;
        return (double)correct / data.Count;
    }

    // Runs a network over the images in blocks, in eval mode, copying each block's output out of its tape.
    private float[] Apply(ReadOnlySpan<float> images, int count, int width, Func<Tensor, Tensor> network)
    {
        const int block = 500;
        _all.Eval();
        var output = new float[count * width];
        var tape = new Tape();
        for (int start = 0; start < count; start += block)
        {
            int rows = Math.Min(block, count - start);
            var x = Tensor.FromArray(images.Slice(start * ImageDim, rows * ImageDim).ToArray(), rows, ImageDim);
            using (tape.Begin())
            using (tape.NoGrad())
                network(x).Data.AsSpan(0, rows * width).CopyTo(output.AsSpan(start * width));
        }
        return output;
    }

    /// <summary>Saves weights and BatchNorm statistics (safetensors, atomic) with the dataset and test accuracy.</summary>
    public void Save(string path, double testAccuracy)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensors.Write(path, _all.NamedState().Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)), new Dictionary<string, string>
        {
            ["format"] = Format,
            ["dataset"] = Dataset,
            ["test_accuracy"] = testAccuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static (FeatureClassifier Classifier, double TestAccuracy) Load(string path)
    {
        var content = SafeTensors.Read(path);
        if (!content.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not a SharpGAN classifier (format '{format ?? "missing"}')");
        if (!content.Metadata.TryGetValue("dataset", out var dataset) || !DatasetCatalog.Names.Contains(dataset))
            throw new InvalidDataException($"{path}: the classifier's dataset is '{dataset ?? "missing"}'; expected one of {string.Join(", ", DatasetCatalog.Names)}");
        if (!content.Metadata.TryGetValue("test_accuracy", out var accuracyText)
            || !double.TryParse(accuracyText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double accuracy)
            || accuracy is not (>= 0 and <= 1))
            throw new InvalidDataException($"{path}: the classifier's test_accuracy is '{accuracyText ?? "missing"}'; expected a fraction in [0, 1]");
        var classifier = new FeatureClassifier(dataset, new Rng(0));
        foreach (var (name, p) in classifier._all.NamedState())
        {
            if (!content.Tensors.TryGetValue(name, out var t) || !t.Shape.AsSpan().SequenceEqual(p.Shape))
                throw new InvalidDataException($"{path}: tensor '{name}' is missing or has the wrong shape");
            t.Data.CopyTo(p.Data, 0);
        }
        classifier._all.Eval();
        return (classifier, accuracy);
    }

    /// <summary>
    /// The classifier for <paramref name="dataset"/>: <paramref name="path"/>, else the one `sharpgan classifier train`
    /// saved. None there → <see cref="FileNotFoundException"/> naming the command that trains one (for
    /// <paramref name="neededBy"/>); another dataset's → <see cref="InvalidDataException"/> (its features would mean nothing).
    /// </summary>
    public static (FeatureClassifier Classifier, double TestAccuracy) LoadFor(string dataset, string? path, string neededBy)
    {
        path ??= File.Exists(DefaultPath(dataset)) ? DefaultPath(dataset) : Shipped(dataset) ?? DefaultPath(dataset);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{neededBy} needs a classifier for {dataset}, and there is none at {path}; train one with `sharpgan classifier train --dataset {dataset}`", path);
        var loaded = Load(path);
        if (loaded.Classifier.Dataset != dataset)
            throw new InvalidDataException($"{path} is a {loaded.Classifier.Dataset} classifier, not one for {dataset}");
        return loaded;
    }

    /// <summary>
    /// A classifier shipped with the models (models/classifiers/NAME.safetensors in a folder <see cref="PretrainedModels"/>
    /// searches), so `eval metrics --model …` works from a fresh clone; null when there is none. One the user trained
    /// (<see cref="DefaultPath"/>) comes first.
    /// </summary>
    public static string? Shipped(string dataset) =>
        PretrainedModels.SearchFolders().Select(f => Path.Combine(f, "classifiers", dataset + ".safetensors")).FirstOrDefault(File.Exists);

    /// <summary>Where `sharpgan classifier train` keeps a dataset's classifier: ~/.cache/sharpgan/classifiers/NAME.safetensors.</summary>
    public static string DefaultPath(string dataset) =>
        Path.Combine(Path.GetDirectoryName(DatasetLocator.CacheRoot)!, "classifiers", dataset + ".safetensors");
}
