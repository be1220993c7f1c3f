// Your own training loop over SharpGAN's pieces: data, G, D, Algorithm 1's step, a weights file.
// dotnet run --project examples/CustomTrainingLoop -- [ITERATIONS] [OUT_DIR]      (MNIST via --data-dir rules: SHARPGAN_DATA, cache, download)
using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Models;
using SharpGan.Optim;
using SharpGan.Tensors;

int iterations = args.Length > 0 ? int.Parse(args[0]) : 2000;
string outDir = args.Length > 1 ? args[1] : "custom-loop";
Directory.CreateDirectory(outDir);
const int batch = 100, noiseDim = 100;

// Data: MNIST in [0, 1], shuffled minibatches from a seeded stream.
var random = new RandomStreams(seed: 42);
var train = DatasetCatalog.Load("mnist", DatasetSplit.Train, PixelRange.ZeroOne, new DatasetLocator());
var minibatches = new ShuffledMinibatches(train, batch, random[RandomStream.Data]);
var real = new Tensor(batch, train.Dimension);

// The paper's networks: an MLP generator and a maxout discriminator with dropout.
var g = new MlpGenerator(noiseDim, hidden: 1200, outputDim: train.Dimension);
var d = new MaxoutDiscriminator(random[RandomStream.Dropout], train.Dimension);
g.InitializeUniform(0.05f, random[RandomStream.Init]);
d.InitializeUniform(0.005f, random[RandomStream.Init]);

// SGD with momentum, the learning rate decaying per update (schedules belong to the optimiser).
var optG = new Sgd(g.NamedParameters(), new ExponentialDecay(0.1f, 1.000004, 1e-6f), momentum: 0.5f);
var optD = new Sgd(d.NamedParameters(), new ExponentialDecay(0.1f, 1.000004, 1e-6f), momentum: 0.5f);
var step = new AdversarialStep(g, d, optG, optD, batch, noiseDim, random[RandomStream.Noise], k: 1);

for (int i = 1; i <= iterations; i++)
{
    var stats = step.Run(() => { minibatches.Next(real); return real; }); // k D steps, then one G step
    if (i % 200 == 0)
        Console.WriteLine($"iteration {i}: D loss {stats.DiscriminatorLoss:F3}, G loss {stats.GeneratorLoss:F3}, D(x) {stats.MeanDReal:F2}, D(G(z)) {stats.MeanDFake:F2}");
}

// Keep the weights (safetensors, G's state names) and a look at the samples.
SafeTensors.Write(Path.Combine(outDir, "generator.safetensors"), g.NamedState().Select(p => KeyValuePair.Create(p.Name, p.Value)));
var samples = Samples.Draw(new GanModels(g, d, noiseDim, 28, 28, 1), NoisePrior.Gaussian, 64, new Rng(1));
SharpGan.Imaging.ImageGrid.WritePng(Path.Combine(outDir, "samples.png"), samples.Data, 64, 28, 28, 1, columns: 8);
Console.WriteLine($"wrote {outDir}/generator.safetensors and {outDir}/samples.png");
