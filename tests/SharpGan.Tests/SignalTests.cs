using System.Diagnostics;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The real `sharpgan` process: SIGTERM (kill, docker stop, preemption) checkpoints and stops like Ctrl-C.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SigtermSavesACheckpointAndExits130()
    {
        string config = Path.Combine(_dir, "long.json");
        var endless = TrainerTests.Small(1_000_000);
        File.WriteAllText(config, ConfigIo.ToJson(endless with { Training = endless.Training with { Epochs = 100_000 } }));
        string run = Path.Combine(_dir, "run");
        var (process, stdout, stderr) = SharpganProcess.Start(["train", "--config", config, "--out", run, "--threads", "1"]);
        using var _ = process;

        try
        {
            // Wait until training is under way (the first epoch's checkpoint), then ask it to stop.
            var clock = Stopwatch.StartNew();
            while (new RunDirectory(run).LatestCheckpoint() is null && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
            Assert.False(process.HasExited, $"sharpgan ended before the signal: {(process.HasExited ? await stderr : "")}");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) kill.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(); // a failed test must not leave an endless training run behind
        }

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("saving a checkpoint", await stderr);
        var last = Checkpoint.Read(new RunDirectory(run).LatestCheckpoint()!);
        Assert.Contains($"stopped at step {last.State.Step}", await stdout);
    }
}
