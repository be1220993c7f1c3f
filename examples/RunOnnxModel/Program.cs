// Run a generator exported with `sharpgan export --format onnx` in ONNX Runtime alone (no SharpGAN needed):
// dotnet run --project examples/RunOnnxModel -- G.onnx [OUT.pgm]
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

string modelPath = args.Length > 0 ? args[0] : throw new ArgumentException("usage: RunOnnxModel G.onnx [OUT.pgm]");
string outPath = args.Length > 1 ? args[1] : "onnx-samples.pgm";
using var session = new InferenceSession(modelPath);

// Input z: [batch, noise_dim]; output images: [batch, C, H, W] in the range the metadata states.
int noiseDim = session.InputMetadata["z"].Dimensions[1];
const int count = 16;
var z = new DenseTensor<float>([count, noiseDim]);
var random = new Random(1);
for (int i = 0; i < z.Length; i++) z.SetValue(i, (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())));
// (Gaussian z; a model trained with another prior says so in its metadata, "sharpgan.noise_prior".)

using var results = session.Run([NamedOnnxValue.CreateFromTensor("z", z)]);
var images = results.First(r => r.Name == "images").AsTensor<float>();
int h = images.Dimensions[2], w = images.Dimensions[3];
float low = session.ModelMetadata.CustomMetadataMap.GetValueOrDefault("sharpgan.pixel_range", "[0, 1]").StartsWith("[-1") ? -1f : 0f;

// One row of `count` grey images as a plain PGM (first channel), readable by most image viewers.
using var file = new StreamWriter(outPath);
file.Write($"P2\n{w * count} {h}\n255\n");
for (int y = 0; y < h; y++)
    file.WriteLine(string.Join(' ', Enumerable.Range(0, w * count).Select(x =>
        (int)Math.Round(255 * Math.Clamp((images[x / w, 0, y, x % w] - low) / (1 - low), 0, 1)))));
Console.WriteLine($"{Path.GetFileName(modelPath)}: z [{count}, {noiseDim}] -> images [{string.Join(", ", images.Dimensions.ToArray())}]; wrote {outPath}");
