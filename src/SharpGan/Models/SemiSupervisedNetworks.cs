using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Models;

/// <summary>
/// Salimans et al.'s (2016) permutation-invariant MNIST discriminator, which is also the classifier: Gaussian noise
/// (σ 0.3) on the input, then weight-normalised ReLU layers of 1000, 500, 250, 250, 250 units, each followed by noise
/// (σ 0.5), and a weight-normalised layer of K logits. The hidden layers' scales g are set by the data-dependent
/// initialisation and held; the output layer's is trained. The last hidden layer's output (before its noise) is the
/// feature vector G matches. Shapes: x (N, pixels) → logits (N, K); features (N, 250).
/// </summary>
public sealed class SemiSupervisedDiscriminator : Module
{
    private readonly Sequential _body, _head; // _head: the last noise layer and the logits

    /// <summary>The published hidden widths, input to output.</summary>
    public static IReadOnlyList<int> Hidden { get; } = [1000, 500, 250, 250, 250];

    /// <summary>This network's hidden widths (<see cref="Hidden"/> unless a test asked for a small one).</summary>
    public IReadOnlyList<int> HiddenWidths { get; }

    /// <summary>Classes K.</summary>
    public int Classes { get; }

    /// <summary>
    /// Builds the network (weights zero until <see cref="Initialize"/>); noise comes from <paramref name="noiseRng"/>.
    /// <paramref name="hidden"/> defaults to the published widths.
    /// </summary>
    public SemiSupervisedDiscriminator(int inputDim, int classes, Rng noiseRng, float inputNoise = 0.3f, float hiddenNoise = 0.5f, IReadOnlyList<int>? hidden = null)
    {
        Classes = classes;
        HiddenWidths = hidden ?? Hidden;
        if (HiddenWidths.Count == 0 || HiddenWidths.Any(u => u < 1)) throw new ArgumentException("at least one hidden layer, each of at least one unit", nameof(hidden));
        var layers = new List<Module> { new GaussianNoise(inputNoise, noiseRng) };
        int width = inputDim;
        foreach (int units in HiddenWidths)
        {
            if (width != inputDim) layers.Add(new GaussianNoise(hiddenNoise, noiseRng));
            layers.Add(new WeightNormLinear(width, units, Activation.ReLU, trainScale: false));
            width = units;
        }
        _body = RegisterModule("body", new Sequential([.. layers]));
        _head = RegisterModule("head", new Sequential(new GaussianNoise(hiddenNoise, noiseRng), new WeightNormLinear(width, classes)));
    }

    /// <summary>The K logits.</summary>
    public override Tensor Forward(Tensor input) => _head.Forward(_body.Forward(input));

    /// <summary>The features (the last hidden layer's output, before its noise) and the logits, from one pass.</summary>
    public (Tensor Features, Tensor Logits) ForwardWithFeatures(Tensor input)
    {
        var features = _body.Forward(input);
        return (features, _head.Forward(features));
    }

    /// <summary>
    /// v ~ N(0, 0.05²), then the data-dependent initialisation of weight normalisation (Salimans &amp; Kingma 2016, §3):
    /// layer by layer on <paramref name="batch"/>, g and b are set so that each unit's pre-activation has mean 0 and
    /// variance 1 over the batch.
    /// </summary>
    public void Initialize(Tensor batch, Rng rng)
    {
        var x = batch;
        bool wasTraining = IsTraining;
        // With the noise layers on, as the reference code measures (its init pass is not deterministic): the scales then
        // give unit-variance pre-activations for the noisy inputs training sees, not for clean ones (measured without the
        // noise, the first layer's pre-activations came out larger once the 0.3 input noise was added back).
        Train();
        foreach (var layer in _body.Layers.Concat(_head.Layers))
        {
            if (layer is WeightNormLinear l) DataDependentInit(l, x, rng);
            x = layer.Forward(x);
        }
        Train(wasTraining);
    }

    internal static void DataDependentInit(WeightNormLinear layer, Tensor x, Rng rng)
    {
        // σ 0.1, the reference's: under weight normalisation the scale of v does not change the function, but Adam's
        // steps are a fixed size, so a larger ‖v‖ turns the direction more slowly.
        rng.FillGaussian(layer.V.Data, 0f, 0.1f);
        Array.Fill(layer.G.Data, 1f);
        Array.Clear(layer.Bias.Data);
        int n = x.Shape[0], units = layer.V.Shape[0];
        var t = Ops.Linear(x, Ops.WeightNorm(layer.V, layer.G), null).Data; // v·x / ‖v‖
        for (int u = 0; u < units; u++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < n; i++) { double v = t[i * units + u]; mean += v; square += v * v; }
            mean /= n;
            double std = Math.Sqrt(Math.Max(square / n - mean * mean, 0)) + 1e-8;
            layer.G.Data[u] = (float)(1 / std);
            layer.Bias.Data[u] = (float)(-mean / std);
        }
    }
}

/// <summary>
/// Salimans et al.'s MNIST generator: z (100, uniform on [0, 1]) → two layers of 500 (linear, BatchNorm, then softplus,
/// the order Lasagne's batch_norm gives) → weight-normalised layer to the pixels with a sigmoid.
/// Shapes: z (N, noise) → images (N, pixels) in [0, 1].
/// </summary>
public sealed class SemiSupervisedGenerator : Module
{
    private readonly Sequential _net;

    /// <summary>Builds the network; call <see cref="Initialize"/> before training.</summary>
    public SemiSupervisedGenerator(int noiseDim, int outputDim, int hidden = 500)
    {
        // No bias before BatchNorm: its β takes that place.
        _net = RegisterModule("net", new Sequential(
            new Linear(noiseDim, hidden, bias: false), new BatchNorm(hidden), ActivationLayer.Softplus(),
            new Linear(hidden, hidden, bias: false), new BatchNorm(hidden), ActivationLayer.Softplus(),
            new WeightNormLinear(hidden, outputDim, Activation.Sigmoid)));
    }

    /// <summary>
    /// Linear weights U(±1/√fan_in) (PyTorch's default for nn.Linear); the output layer's v ~ N(0, 0.1²), g = 1, a zero
    /// bias. Why not the reference's Glorot uniform: with it (and with N(0, 0.05²)) D overpowers G in the first epochs
    /// — measured in PyTorch (bench/pytorch_semi_mnist.py, seed 1, 100 labels): epoch-mean D loss 0.24 → 0.08 and G's
    /// feature-matching loss 4.6 → 10.6 over epochs 1–2, 2 308 → 2 233 test errors; with this init D loss 0.33, 0.29,
    /// 0.36, G loss 1.78, 0.86, 0.62 and 2 196 → 1 860 → 1 582 errors over epochs 1–3. Under BatchNorm and weight
    /// normalisation the scales change nothing in the forward pass; they set how far Adam's fixed-size steps turn them.
    /// </summary>
    public void Initialize(Rng rng)
    {
        foreach (var layer in _net.Layers)
        {
            if (layer is Linear l)
            {
                float bound = 1f / MathF.Sqrt(l.Weight.Shape[1]);
                rng.FillUniform(l.Weight.Data, -bound, bound);
            }
            if (layer is WeightNormLinear w) { rng.FillGaussian(w.V.Data, 0f, 0.1f); Array.Fill(w.G.Data, 1f); Array.Clear(w.Bias.Data); }
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _net.Forward(input);
}
