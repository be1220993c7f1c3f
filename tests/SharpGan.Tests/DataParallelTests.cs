using System.Diagnostics;
using SharpGan.Distributed;
using SharpGan.IO;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// `mpirun -np N sharpgan train`: N processes train one model. Run with the real launchers (Open MPI, which .ci/run
/// installs, and MPICH's where present) on the built CLI; a small paper-shaped config on 1 000 MNIST images.
/// </summary>
public class DataParallelTests : IDisposable
{
    private const string OpenMpi = "/usr/bin/mpirun.openmpi", Mpich = "/usr/bin/mpirun.mpich";
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(long steps, int checkpointEvery = 0)
    {
        string path = Path.Combine(_dir, $"small-{steps}-{checkpointEvery}.json");
        File.WriteAllText(path, ConfigIo.ToJson(TrainerTests.Small(steps) with
        {
            Training = TrainerTests.Small(steps).Training with { CheckpointEvery = checkpointEvery, Epochs = 100_000 }, // max_steps decides
        }));
        return path;
    }

    // The CLI as mpirun starts it: `dotnet SharpGan.Cli.dll train …` per rank, one thread each.
    private static Process Start(string? mpirun, int processes, IEnumerable<string> trainArgs, out Task<string> stdout, out Task<string> stderr)
    {
        var start = new ProcessStartInfo(mpirun ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (mpirun is not null)
        {
            if (mpirun == OpenMpi) start.ArgumentList.Add("--oversubscribe"); // more ranks than cores on a small machine
            foreach (string a in new[] { "-np", processes.ToString(), "dotnet" }) start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SharpGan.Cli.dll"));
        foreach (string a in trainArgs.Concat(["--threads", "1"])) start.ArgumentList.Add(a);
        start.Environment["SHARPGAN_DATA"] = TestData.MnistFolder;
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"; // CI runs as root; Open MPI refuses root without these
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["OMPI_MCA_mpi_yield_when_idle"] = "1"; // ranks waiting in a collective yield the core (more ranks than cores here)
        var process = Process.Start(start)!;
        (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        return process;
    }

    private static (int Code, string Out, string Err) Run(string? mpirun, int processes, params string[] trainArgs)
    {
        using var process = Start(mpirun, processes, trainArgs, out var stdout, out var stderr);
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the job did not end within 3 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static Dictionary<string, float[]> Weights(string run) =>
        SafeTensors.Read(new RunDirectory(run).LatestCheckpoint()!).Tensors
            .Where(t => t.Key.StartsWith("generator.") || t.Key.StartsWith("discriminator."))
            .ToDictionary(t => t.Key, t => t.Value.Data);

    private static void RequireLauncher(string path) =>
        OptionalNative.Require(File.Exists(path), $"{path} is not installed (apt-get install openmpi-bin libopenmpi3) for the data-parallel tests");

    [SkippableFact]
    public void TwoProcessesTrainTheSameModelAsOne()
    {
        RequireLauncher(OpenMpi);
        string config = Config(50), one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two"), again = Path.Combine(_dir, "again");
        var single = Run(null, 1, "train", "--config", config, "--out", one);
        Assert.True(single.Code == 0, single.Err);
        var parallel = Run(OpenMpi, 2, "train", "--config", config, "--out", two);
        Assert.True(parallel.Code == 0, parallel.Out + parallel.Err);
        Assert.Contains("data-parallel: 2 processes over Open MPI", parallel.Out);
        Assert.Single(parallel.Out.Split('\n'), l => l.StartsWith("finished 50 steps")); // rank 0 alone speaks
        // Same global batch: every weight agrees to 1e-5 after 50 iterations (only the order of float sums differs).
        var (w1, w2) = (Weights(one), Weights(two));
        Assert.Equal(w1.Keys.Order(), w2.Keys.Order());
        double worst = w1.Max(p => p.Value.Zip(w2[p.Key]).Select(v => Math.Abs(v.First - v.Second)).DefaultIfEmpty(0).Max());
        Assert.True(worst <= 1e-5, $"max |N=2 − N=1| = {worst}");
        Assert.NotEqual(0, worst); // the sums really were split
        // Two runs with N = 2 are bit-identical.
        Assert.Equal(0, Run(OpenMpi, 2, "train", "--config", config, "--out", again).Code);
        var w3 = Weights(again);
        foreach (var (name, values) in w2) Assert.Equal(values, w3[name]);
        // Only rank 0 wrote: one metrics file, one config, the checkpoints.
        Assert.True(File.Exists(Path.Combine(two, "metrics.csv")) && File.Exists(Path.Combine(two, "config.json")));
    }

    [SkippableFact]
    public void TheMpichFamilyTrainsTheSameModel()
    {
        RequireLauncher(OpenMpi); // CI installs both families; a user's machine may have either
        Skip.IfNot(File.Exists(Mpich), $"{Mpich} is not installed (apt-get install mpich) for the MPICH-ABI test");
        string config = Config(20), one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "mpich");
        Assert.Equal(0, Run(null, 1, "train", "--config", config, "--out", one).Code);
        var parallel = Run(Mpich, 2, "train", "--config", config, "--out", two);
        Assert.True(parallel.Code == 0, parallel.Out + parallel.Err);
        Assert.Contains("MPICH ABI", parallel.Out);
        var (w1, w2) = (Weights(one), Weights(two));
        double worst = w1.Max(p => p.Value.Zip(w2[p.Key]).Select(v => Math.Abs(v.First - v.Second)).DefaultIfEmpty(0).Max());
        Assert.True(worst <= 1e-5, $"max |MPICH N=2 − N=1| = {worst}");
    }

    [SkippableFact]
    public void ARankThatDiesEndsTheJobAndTheRunResumesWithAnotherCount()
    {
        RequireLauncher(OpenMpi);
        string config = Config(100_000, checkpointEvery: 10), run = Path.Combine(_dir, "killed");
        using var job = Start(OpenMpi, 2, ["train", "--config", config, "--out", run], out var stdout, out var stderr);
        try
        {
            KillOneRankAndResume(job, run, stdout, stderr);
        }
        finally
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true); // never leave a job behind when the test fails
        }
    }

    private static void KillOneRankAndResume(Process job, string run, Task<string> stdout, Task<string> stderr)
    {
        var checkpoints = new RunDirectory(run);
        // Wait for two checkpoints (at most 2 minutes).
        for (int waited = 0; waited < 1200 && checkpoints.Checkpoints().Count < 2; waited++) Thread.Sleep(100);
        Assert.True(checkpoints.Checkpoints().Count >= 2, "no checkpoint within 2 minutes: " + (job.HasExited ? stderr.Result : ""));
        // Kill rank 1 outright (SIGKILL: no handler runs), as a failed node would.
        int? found = RankProcess(job.Id, 1);
        int rank1 = found ?? throw new InvalidOperationException($"rank 1's process was not found under mpirun (job exited: {job.HasExited})");
        Process.GetProcessById(rank1).Kill();
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "the job hung after a rank died");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Matches("(?i)rank 1|process.*killed|exited on signal", stdout.Result + stderr.Result);
        // The run resumes from its last checkpoint, here on one process.
        long stoppedAt = SafeTensorsStep(checkpoints.LatestCheckpoint()!);
        var resumed = Run(null, 1, "train", "--resume", run, "--max-steps", (stoppedAt + 20).ToString());
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains($"resuming at step {stoppedAt}", resumed.Out);
        Assert.Contains($"finished {stoppedAt + 20} steps", resumed.Out);
    }

    private static long SafeTensorsStep(string checkpoint) => Checkpoint.Read(checkpoint).State.Step;

    // The process under mpirun whose environment says it is this rank (Open MPI starts local ranks as its children).
    private static int? RankProcess(int mpirunPid, int rank)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (parent != mpirunPid) continue;
                string environment = File.ReadAllText(Path.Combine(dir, "environ"));
                if (environment.Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { } // gone, or not ours
        }
        return null;
    }

    [Fact]
    public void AMissingMpiLibraryIsOneLine()
    {
        // As under a launcher (PMI_SIZE = 2) with a library that is not there: one line naming it, exit 2, nothing started.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "SharpGan.Cli.dll"), "train", "--config", Config(5), "--out", Path.Combine(_dir, "none") })
            start.ArgumentList.Add(a);
        start.Environment["SHARPGAN_DATA"] = TestData.MnistFolder;
        start.Environment["PMI_SIZE"] = "2";
        start.Environment["SHARPGAN_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40";
        using var process = Process.Start(start)!;
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("no MPI library could be loaded (/nonexistent/libmpi.so.40", err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "none")));
    }

    [Fact]
    public void WithoutALauncherThereIsOneProcess()
    {
        foreach (string name in new[] { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE" })
            Assert.Null(Environment.GetEnvironmentVariable(name)); // the test host itself was not started by mpirun
        Assert.Null(ProcessGroup.LaunchedSize());
        Assert.Same(ProcessGroup.Single, ProcessGroup.FromEnvironment());
        Assert.Equal((0, 1), (ProcessGroup.Single.Rank, ProcessGroup.Single.Size));
    }

    [Fact]
    public void ShardsDrawTheWholeBatchsMasks()
    {
        // Two "processes" of a batch of 5 rows: their masks, side by side, are the single process's mask.
        var whole = new float[5 * 3];
        SharpGan.Tensors.Rng.FillBernoulliAt(new SharpGan.Tensors.Rng(1).NextUInt64(), 0, whole, 0.5f, 2f);
        var rows = new List<float>();
        foreach (var (start, count) in new[] { (0, 2), (2, 3) })
        {
            var rng = new SharpGan.Tensors.Rng(1);
            var mine = new float[count * 3];
            new SharpGan.Tensors.RowShard(5, (start, count)).FillBernoulli(rng, mine, 3, 0.5f, 2f);
            rows.AddRange(mine);
            var after = new SharpGan.Tensors.Rng(1);
            after.Skip(1);
            Assert.Equal(after.NextUInt64(), rng.NextUInt64()); // every process's stream advanced by the one seed
        }
        Assert.Equal(whole, rows);
    }
}
