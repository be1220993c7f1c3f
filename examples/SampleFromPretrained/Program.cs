// Sample from a pretrained generator in a few lines.
// dotnet run --project examples/SampleFromPretrained -- [MODEL_NAME_OR_FILE] [OUT.png]
using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.Tensors;
using SharpGan.Training;

string model = args.Length > 0 ? args[0] : "mnist-paper";          // models/mnist-paper.safetensors, or any exported file
string outPath = args.Length > 1 ? args[1] : "pretrained-samples.png";

var generator = GeneratorFile.Read(PretrainedModels.Resolve(model)); // G and the config it was trained with
var images = Samples.Draw(generator.Models, generator.Config.Model.NoisePrior, count: 100, new Rng(7));
var m = generator.Models;
ImageGrid.WritePng(outPath, images.Data, 100, m.SampleHeight, m.SampleWidth, m.SampleChannels, columns: 10, low: generator.Config.PixelRange == SharpGan.Data.PixelRange.ZeroOne ? 0f : -1f);
Console.WriteLine($"wrote 100 samples of {model} to {outPath}");
