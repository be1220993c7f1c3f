using SharpGan.Cli;
using SharpGan.IO;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Mistaken command lines, as a newcomer types them: each ends in exit 2 with exactly one line on stderr starting
/// "error: ", never "internal failure", never a hang, and never the whole help.
/// </summary>
public sealed class BadInvocationTests : IClassFixture<BadInvocationTests.Files>
{
    /// <summary>A small trained run, a truncated and a garbage one, a folder, a file and a config, made once.</summary>
    public sealed class Files : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("sharpgan-badcli-").FullName;
        public string Run => Path.Combine(Dir, "run");
        public string Truncated => Path.Combine(Dir, "truncated");
        public string Garbage => Path.Combine(Dir, "garbage");
        public string Empty => Path.Combine(Dir, "empty");
        public string Config => Path.Combine(Dir, "small.json");
        public string Npy => Path.Combine(Dir, "s.npy");
        public string EmptyFile => Path.Combine(Dir, "empty.npy");
        public string BadMetrics => Path.Combine(Dir, "badmetrics");

        public Files()
        {
            var config = TrainerTests.Small(22); // 22 iterations: past epoch 1 (20 iterations of 50 on 1 000 images)
            File.WriteAllText(Config, ConfigIo.ToJson(config));
            new GanTrainer(config, TestData.Mnist(1000), new RunDirectory(Run)).Train();
            foreach (var (folder, damage) in new (string, Func<byte[], byte[]>)[] { (Truncated, b => b[..(b.Length / 2)]), (Garbage, _ => "hello"u8.ToArray()) })
            {
                string checkpoints = Path.Combine(folder, "checkpoints");
                Directory.CreateDirectory(checkpoints);
                File.WriteAllBytes(Path.Combine(checkpoints, "step-00000022.safetensors"), damage(File.ReadAllBytes(new RunDirectory(Run).LatestCheckpoint()!)));
            }
            // A whole run whose metrics.csv has a damaged row in the middle (not a torn last row).
            var bad = new RunDirectory(BadMetrics);
            Directory.CreateDirectory(bad.CheckpointFolder);
            File.Copy(new RunDirectory(Run).LatestCheckpoint()!, Path.Combine(bad.CheckpointFolder, "step-00000022.safetensors"));
            var rows = File.ReadAllLines(new RunDirectory(Run).MetricsPath);
            rows[1] = "10,0.5,abc,1,0.5,0.5,0.1,0.5,100";
            File.WriteAllLines(bad.MetricsPath, rows);
            Directory.CreateDirectory(Empty);
            File.WriteAllBytes(EmptyFile, []);
            Directory.CreateDirectory(Path.Combine(Dir, "folder.png"));
            SampleFile.WriteNpy(Npy, new float[784 * 3], 3, 784);
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    private readonly Files _f;

    public BadInvocationTests(Files files) => _f = files;

    public static IEnumerable<object[]> Cases() =>
    [
        // unknown or misspelt names
        ["train --epoch 3", "did you mean --epochs"], ["sample --rn RUN --out x.png", "did you mean --run"], ["trian", "did you mean train"],
        ["eval parzn", "did you mean parzen"], ["classifier trian", "unknown command"], ["presets extra", "unexpected argument"],
        ["eval parzen --run RUN --sigmaa 1", "unknown option --sigmaa"], ["eval", "needs a command"], ["", "needs a command"],
        // missing values and values of the wrong kind
        ["train --threads", "--threads needs a value"], ["train --preset", "--preset needs a value"], ["sample --run", "--run needs a value"],
        ["train --preset mnist-paper --epochs abc", "--epochs expects a whole number"], ["train --preset mnist-paper --seed 99999999999999999999", "--seed expects"],
        ["eval parzen --run RUN --count 1e9", "--count expects a whole number"], ["sample --out x.png", "needs --run"], ["toy figure1", "needs --out"],
        // zero, negative, huge
        ["train --preset mnist-paper --threads 0", "--threads must be in [1, 1024]"], ["train --preset mnist-paper --threads -1", "--threads must be in"],
        ["train --preset mnist-paper --threads 100000", "--threads must be in"], ["sample --run RUN --out OUT/x.png --count 0", "--count must be in"],
        ["sample --run RUN --out OUT/x.png --count 2000000000", "--count must be in"], ["sample --run RUN --out OUT/x.png --columns 0", "--columns must be in"],
        ["interpolate --run RUN --out OUT/i.png --rows 0", "--rows must be in"], ["interpolate --run RUN --out OUT/i.png --steps 1", "--steps must be in"],
        ["eval parzen --run RUN --sigma 0", "--sigma must be positive"], ["eval parzen --run RUN --sigma -1", "--sigma must be positive"],
        ["eval parzen --run RUN --count 0", "--count must be in"], ["eval parzen --run RUN --repeats 0", "--repeats must be in"],
        ["train --preset mnist-paper --epochs 0 --print-config", "training.epochs must be positive"],
        ["train --preset mnist-paper --epochs -3 --print-config", "training.epochs must be positive"],
        ["train --preset mnist-paper --max-steps 0 --print-config", "training.max_steps"], ["train --preset mnist-paper --ema 1 --print-config", "training.generator_ema"],
        ["train --preset mnist-paper --eval-samples 5 --print-config", "training.eval_samples"], ["train --preset mnist-paper --train-limit -1 --print-config", "train_limit"],
        ["train --preset mnist-paper --sample-every -1 --print-config", "training.sample_every"], ["toy mixture --out OUT/m --g-steps 0", "--g-steps must be in"],
        ["classifier train --epochs 0", "--epochs must be in"], ["classifier train --out OUT/c.bin", "must end in .safetensors"],
        ["classifier train --out OUT/folder.png", "must end in .safetensors"], ["toy figure1 --out CONFIG", "is a file"], ["toy mixture --out CONFIG", "is a file"], ["toy figure1 --out OUT/f --data-std -1", "--data-std must be in"],
        ["train --resume RUN --anneal 0.5", "--anneal must be"], ["train --preset mnist-paper --anneal 1.1", "--anneal changes the decay of a run being resumed"],
        // missing paths
        ["train --config OUT/missing.json", "config file not found"], ["train --resume OUT/missing", "no such run directory"],
        ["sample --run OUT/missing --out OUT/x.png", "no such run folder"], ["eval parzen --samples OUT/missing.npy", "sample file not found"],
        ["eval metrics --samples OUT/missing.npy", "sample file not found"], ["sample --run RUN --checkpoint OUT/missing.safetensors --out OUT/x.png", "missing.safetensors"],
        // a folder where a file is expected, and the reverse
        ["train --config OUT", "is a folder"], ["eval parzen --samples OUT", "is a folder"], ["sample --run RUN --out OUT/folder.png", "is a folder"],
        ["sample --run RUN --checkpoint OUT --out OUT/x.png", "is a folder"], ["train --resume CONFIG", "not a run folder"],
        ["sample --run CONFIG --out OUT/x.png", "no such run folder"], ["train --config CONFIG --out CONFIG", "is a file"],
        // --resume on what is not a run, truncated and garbage checkpoints
        ["train --resume EMPTY", "has no checkpoint"], ["train --resume TRUNCATED", "truncated"], ["train --resume GARBAGE", "too short"],
        ["sample --run TRUNCATED --out OUT/x.png", "truncated"], ["train --resume BADMETRICS --epochs 5", "metrics.csv: line 2: column 3 'abc' is not a number"], ["eval parzen --run GARBAGE", "too short"],
        // combinations that cannot mean anything
        ["train --resume RUN --epochs 1", "nothing to train"], ["train --resume RUN --seed 5", "--seed cannot change a run being resumed"],
        ["train --resume RUN --preset mnist-paper", "do not combine"], ["train --preset mnist-paper --config CONFIG", "not both"],
        ["eval parzen --run RUN --samples NPY", "exactly one of"], ["eval parzen --samples NPY --repeats 3", "--repeats draws new sample sets"],
        // devices, pipes and empty files where a file is expected: refused at once, never read until memory runs out
        ["train --config /dev/zero", "not a regular file"], ["eval parzen --samples /dev/zero", "not a regular file"],
        ["sample --run RUN --checkpoint /dev/urandom --out OUT/x.png", "not a regular file"], ["eval parzen --samples EMPTYFILE", "is empty"],
        ["sample --run RUN --out OUT/x.jpg", ".png"], ["sample --run RUN --out OUT/noextension", ".png"],
        ["interpolate --run RUN --out OUT/i.npy", "must end in .png"], ["sample --run RUN --out OUT/no-such-folder/x.png", "does not exist"], ["train --config CONFIG --out RUN", "already holds a run"],
        // export and sample --noise
        ["export --run RUN --out OUT/g.pt", "must end in .onnx"], ["export --run RUN --format onnx --out OUT/g.safetensors", "--format onnx writes onnx files"],
        ["export --run RUN --format pt --out OUT/g.onnx", "--format must be one of onnx, safetensors"], ["export --run RUN --what disc --out OUT/g.onnx", "--what must be one of"],
        ["export --run RUN --what discriminator --out OUT/d.safetensors", "only ONNX exports D"], ["export --run RUN --what discriminator --raw-generator --out OUT/d.onnx", "does not apply"],
        ["export --run OUT/missing --out OUT/g.onnx", "no such run folder"], ["export --run TRUNCATED --out OUT/g.onnx", "truncated"], ["export --out OUT/g.onnx", "needs --run"],
        ["sample --run RUN --noise NPY --out OUT/x.png", "have 784 values each, expected 100"], ["sample --run RUN --noise CONFIG --out OUT/x.png", "read from a .npy file"],
        ["sample --run RUN --noise EMPTYFILE --out OUT/x.png", "is empty"], ["sample --run RUN --noise NPY --count 5 --out OUT/x.png", "--count would contradict it"],
        // grid style
        ["sample --run RUN --scale 0 --out OUT/x.png", "--scale must be in [1, 16]"], ["interpolate --run RUN --pad-value 2 --out OUT/i.png", "--pad-value must be in [0, 1]"],
        ["sample --run RUN --padding -1 --out OUT/x.png", "--padding must be in"],
        // semi
        ["semi train --labels 15 --out OUT/s", "multiple of 10"], ["semi train --dataset cifar10 --out OUT/s", "--dataset must be one of mnist, fashion-mnist"],
        ["semi train --out RUN", "already holds a run"], ["semi train --resume OUT/missing", "no checkpoint"], ["semi eval --run RUN", "not a SharpGAN semi-supervised checkpoint"],
        ["semi eval", "needs --run"], ["semi eval --run RUN --samples OUT/g.jpg", "--samples must end in .png"], ["semi", "needs a command"], ["semi train --config CONFIG --out OUT/s", "unknown field 'preset'"],
        ["semi train --resume RUN --config CONFIG", "--resume continues a run with its own config"], ["semi train --config EMPTYFILE", "is empty"],
        // --model
        ["sample --model no-such-model --out OUT/x.png", "no pretrained model 'no-such-model'"], ["sample --model OUT/missing.safetensors --out OUT/x.png", "generator file not found"],
        ["sample --run RUN --model mnist-paper --out OUT/x.png", "give one of --run RUN_DIR or --model NAME"], ["sample --out OUT/x.png", "needs --run RUN_DIR or --model NAME"],
        ["interpolate --model OUT/g.safetensors --raw-generator --out OUT/i.png", "--model names one generator"], ["eval parzen --model CKPT", "not a SharpGAN generator file"],
        ["eval parzen --model mnist-paper --samples NPY", "exactly one of --run RUN_DIR, --model NAME or --samples FILE"],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EndsInOneLineAndExitTwo(string commandLine, string expected)
    {
        string[] args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a
            .Replace("BADMETRICS", _f.BadMetrics).Replace("EMPTYFILE", _f.EmptyFile).Replace("TRUNCATED", _f.Truncated).Replace("RUN", _f.Run).Replace("GARBAGE", _f.Garbage).Replace("EMPTY", _f.Empty)
            .Replace("CONFIG", _f.Config).Replace("CKPT", new RunDirectory(_f.Run).LatestCheckpoint()!).Replace("NPY", _f.Npy).Replace("OUT", _f.Dir)).ToArray();
        var saved = (Console.Out, Console.Error);
        var (output, error) = (new StringWriter(), new StringWriter());
        Console.SetOut(output); Console.SetError(error);
        int code;
        try
        {
            var run = Task.Run(() => CliApp.Run(args));
            Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, $"`sharpgan {commandLine}` did not finish within 60 s");
            code = await run;
        }
        finally { Console.SetOut(saved.Out); Console.SetError(saved.Error); }
        string err = error.ToString().Trim();
        Assert.True(code == 2, $"`sharpgan {commandLine}` exited {code}: {err}");
        Assert.StartsWith("error: ", err);
        Assert.Single(err.Split('\n'));
        Assert.DoesNotContain("internal failure", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("Description:", output.ToString()); // no help dump
    }
}
