using System.Diagnostics;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// The real `sharpgan` process under faults: kill -9 at three moments (one of them inside a checkpoint write) and a
/// resume after each ends bit-identical to an uninterrupted run; a second writer on a live run is refused, and the
/// lock does not outlive a killed holder.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-crash-").FullName;
    private readonly List<Process> _started = new();

    public void Dispose()
    {
        foreach (var p in _started) if (!p.HasExited) p.Kill(); // a failed test must not leave a training run behind
        Directory.Delete(_dir, recursive: true);
    }

    private const int TotalSteps = 40, CheckpointEvery = 5;

    // The paper's network sizes, so that an iteration takes long enough (~50 ms on one thread) for a kill to land
    // between checkpoints; 1 000 images, a checkpoint every 5 iterations.
    private static GanConfig Config(long steps) => TrainerTests.Small(steps) with
    {
        Model = new ModelConfig(),
        Training = TrainerTests.Small(steps).Training with { CheckpointEvery = CheckpointEvery, LogEvery = 1 },
    };

    private SharpganProcess Start(bool pauseWrites, params string[] args)
    {
        var started = SharpganProcess.Start(new[] { "train" }.Concat(args).Concat(["--threads", "1"]),
            pauseWrites ? new Dictionary<string, string> { ["SHARPGAN_TEST_PAUSE_BEFORE_RENAME_MS"] = "400" } : null);
        _started.Add(started.Process);
        return started;
    }

    private static async Task WaitFor(Func<bool> condition, SharpganProcess s, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (s.Process.HasExited) Assert.Fail($"sharpgan exited ({s.Process.ExitCode}) before {what}: {await s.Stderr}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"timed out waiting for {what}");
            await Task.Delay(2);
        }
    }

    private static void Kill9(SharpganProcess s)
    {
        using (var kill = Process.Start("kill", ["-KILL", s.Process.Id.ToString()])) kill.WaitForExit();
        s.Process.WaitForExit();
    }

    private static long MetricsRows(RunDirectory run) =>
        File.Exists(run.MetricsPath) ? File.ReadLines(run.MetricsPath).Skip(1).LongCount() : 0;

    [Fact]
    public async Task KillNineAtThreeMomentsResumesBitIdentically()
    {
        string config = Path.Combine(_dir, "c.json");
        File.WriteAllText(config, ConfigIo.ToJson(Config(TotalSteps)));
        var reference = new RunDirectory(Path.Combine(_dir, "straight"));
        new GanTrainer(Config(TotalSteps), TestData.Mnist(1000), reference).Train();

        var run = new RunDirectory(Path.Combine(_dir, "crashed"));
        // 1. Inside a checkpoint write: the step-10 checkpoint's temporary file exists, its rename has not happened.
        var first = Start(pauseWrites: true, "--config", config, "--out", run.Root);
        await WaitFor(() => run.Checkpoints().Any(c => c.Step == CheckpointEvery)
                            && Directory.EnumerateFiles(run.CheckpointFolder, "*.tmp-*").Any(), first, "the second checkpoint's write");
        Kill9(first);
        Assert.Equal(CheckpointEvery, run.Checkpoints().Last().Step);
        Assert.NotEmpty(Directory.EnumerateFiles(run.CheckpointFolder, "*.tmp-*"));

        // 2. Between checkpoints, in the middle of training: metrics rows beyond the last checkpoint exist.
        var second = Start(pauseWrites: false, "--resume", run.Root);
        await WaitFor(() => run.Checkpoints().Last().Step >= 3 * CheckpointEvery && MetricsRows(run) >= 3 * CheckpointEvery + 2, second, "mid-training");
        Kill9(second);
        Assert.Empty(Directory.EnumerateFiles(run.CheckpointFolder, "*.tmp-*")); // the resume cleared the killed writer's file

        // 3. Right after start, while the resumed process loads data and the checkpoint.
        var third = Start(pauseWrites: false, "--resume", run.Root);
        await Task.Delay(300);
        Assert.False(third.Process.HasExited);
        Kill9(third);

        var last = Start(pauseWrites: false, "--resume", run.Root);
        await last.Process.WaitForExitAsync();
        Assert.True(last.Process.ExitCode == 0, await last.Stderr);

        var expected = SafeTensors.Read(reference.LatestCheckpoint()!);
        var actual = SafeTensors.Read(run.LatestCheckpoint()!);
        Assert.Equal(TotalSteps, run.Checkpoints().Last().Step);
        Assert.Equal(expected.Tensors.Keys.Order(), actual.Tensors.Keys.Order());
        foreach (var (name, tensor) in expected.Tensors) Assert.True(tensor.Data.AsSpan().SequenceEqual(actual.Tensors[name].Data), $"{name} differs");
        Assert.Equal(expected.Metadata["state"].Split("elapsed")[0], actual.Metadata["state"].Split("elapsed")[0]); // step, sampler, Rng states
        // metrics.csv holds each step once, with the same losses as the straight run (throughput, the last column, differs).
        static string[] Losses(RunDirectory r) => File.ReadLines(r.MetricsPath).Select(l => string.Join(',', l.Split(',').Take(8))).ToArray();
        Assert.Equal(Losses(reference), Losses(run));
    }

    [Fact]
    public async Task SecondWriterIsRefusedAndALockDiesWithItsHolder()
    {
        string config = Path.Combine(_dir, "long.json");
        var endless = TrainerTests.Small(1_000_000);
        File.WriteAllText(config, ConfigIo.ToJson(endless with { Training = endless.Training with { Epochs = 100_000, CheckpointEvery = 5 } }));
        var run = new RunDirectory(Path.Combine(_dir, "live"));
        var live = Start(pauseWrites: false, "--config", config, "--out", run.Root);
        await WaitFor(() => run.LatestCheckpoint() is not null, live, "the first checkpoint");

        foreach (var args in new[]
        {
            new[] { "--config", config, "--out", run.Root, "--force" },  // --force onto a live run
            new[] { "--resume", run.Root },                              // a second resume of one run
        })
        {
            var second = Start(pauseWrites: false, args);
            await second.Process.WaitForExitAsync();
            Assert.Equal(2, second.Process.ExitCode);
            Assert.Contains("being written by another sharpgan process", await second.Stderr);
        }
        Assert.False(live.Process.HasExited);

        // Two fresh runs started at once on one folder: exactly one trains.
        var fresh = new RunDirectory(Path.Combine(_dir, "twins"));
        var a = Start(pauseWrites: false, "--config", config, "--out", fresh.Root);
        var b = Start(pauseWrites: false, "--config", config, "--out", fresh.Root);
        await WaitFor(() => a.Process.HasExited || b.Process.HasExited, a.Process.HasExited ? b : a, "one of two runs on one folder to be refused");
        var (loser, winner) = a.Process.HasExited ? (a, b) : (b, a);
        Assert.Equal(2, loser.Process.ExitCode);
        Assert.Matches("being written by another sharpgan process|already holds a run", await loser.Stderr);
        Assert.False(winner.Process.HasExited);
        Kill9(winner);

        // kill -9 the live run: its lock goes with it, and the run resumes.
        Kill9(live);
        long reached = run.Checkpoints().Last().Step;
        var resumed = Start(pauseWrites: false, "--resume", run.Root, "--max-steps", (reached + 3).ToString());
        await resumed.Process.WaitForExitAsync();
        Assert.True(resumed.Process.ExitCode == 0, await resumed.Stderr);
    }
}
