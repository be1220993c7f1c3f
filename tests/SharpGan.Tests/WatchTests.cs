using System.Net;
using System.Text.Json;
using SharpGan.Training;
using SharpGan.Web;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The run dashboard's reading of a run folder and its endpoints.</summary>
public class WatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-watch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RunDirectory TrainedRun(long steps)
    {
        var run = new RunDirectory(Path.Combine(_dir, "run"));
        var config = TrainerTests.Small(steps) with { Training = TrainerTests.Small(steps).Training with { SampleEvery = 40 } };
        TrainerTests.Trainer(config, run).Train();
        File.WriteAllText(run.ConfigPath, ConfigIo.ToJson(config));
        return run;
    }

    [Fact]
    public void StatusReadsARunWithoutWritingIt()
    {
        var run = TrainedRun(120);
        File.AppendAllText(run.MetricsPath, "130,0.1,0.6"); // a row being appended right now
        var before = File.ReadAllText(run.MetricsPath);
        var status = RunStatus.Read(run);
        Assert.Equal(before, File.ReadAllText(run.MetricsPath));
        Assert.Equal(120, status.Step);
        Assert.Equal(120, status.TotalSteps);
        Assert.Null(status.Remaining);
        // Every 40 steps is every second epoch here (20 iterations an epoch), so those grids are named by epoch; the last by step.
        Assert.Equal(["epoch-0002.png", "epoch-0004.png", "epoch-0006.png", "step-00000120.png"], status.Samples);
        File.WriteAllText(run.MetricsPath, "not,a,metrics,file\n");
        Assert.Throws<InvalidDataException>(() => RunStatus.Read(run));
    }

    [Fact]
    public async Task DashboardServesTheRunsStatusAndGridsByPositionOnly()
    {
        var run = TrainedRun(80);
        await using var server = await DashboardServer.StartAsync(new ServerAddress(), run);
        using var http = new HttpClient { BaseAddress = server.Url };
        var status = JsonDocument.Parse(await http.GetStringAsync("/api/run")).RootElement;
        Assert.Equal(80, status.GetProperty("step").GetInt64());
        Assert.Equal(3, status.GetProperty("samples").GetArrayLength()); // epoch-0002, epoch-0004, then the final step-00000080
        Assert.Equal(status.GetProperty("series").GetProperty("step").GetArrayLength(), status.GetProperty("series").GetProperty("dLoss").GetArrayLength());
        var grid = await http.GetAsync("/api/run/samples/1");
        Assert.Equal("image/png", grid.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run.SampleFolder, "epoch-0004.png")), await grid.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/run/samples/3")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/run/samples/-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/run/samples/latest.png")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/run/config.json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/run?after=x")).StatusCode);
        // A long poll with the current version waits for a change; nothing changes, so it answers after its wait with the same version.
        long version = status.GetProperty("version").GetInt64();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var again = JsonDocument.Parse(await http.GetStringAsync($"/api/run?after={version}")).RootElement;
        Assert.Equal(version, again.GetProperty("version").GetInt64());
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(5), $"the long poll returned after {clock.Elapsed}");
        // A folder that is not a run yet is reported, not a crash.
        File.Delete(run.ConfigPath);
        Assert.Contains("no config.json", JsonDocument.Parse(await http.GetStringAsync("/api/run")).RootElement.GetProperty("error").GetString());
    }
    [Fact]
    public async Task ExplorerDrawsFromTheRunsLatestGeneratorAndRefusesBadValues()
    {
        var run = TrainedRun(40);
        await using var server = await DashboardServer.StartAsync(new ServerAddress(), run);
        using var http = new HttpClient { BaseAddress = server.Url };
        var info = JsonDocument.Parse(await http.GetStringAsync("/api/explore/info")).RootElement;
        Assert.True(info.GetProperty("available").GetBoolean());
        Assert.Equal(6, info.GetProperty("directions").GetInt32());
        async Task<byte[]> Png(string query)
        {
            var response = await http.GetAsync(query);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadAsByteArrayAsync();
        }
        var still = await Png("/api/explore/sample?seed=3");
        Assert.Equal(still, await Png("/api/explore/sample?seed=3&o=0,0"));      // no offset: the seed's own z
        Assert.NotEqual(still, await Png("/api/explore/sample?seed=3&o=2.5"));   // a slider moves the sample
        Assert.NotEqual(still, await Png("/api/explore/sample?seed=4"));
        var strip = await Png("/api/explore/interpolate?from=3&to=4&steps=5");
        Assert.True(strip.Length > still.Length);
        foreach (var (query, message) in new[]
        {
            ("/api/explore/sample?seed=3&o=5", "offset must be in"),
            ("/api/explore/sample?seed=3&o=1,1,1,1,1,1,1", "at most 6 offsets"),
            ("/api/explore/sample?seed=-1", "seed must be in"),
            ("/api/explore/sample?seed=x", "seed must be an integer"),
            ("/api/explore/sample?seed=3&label=1", "not conditional"),
            ("/api/explore/interpolate?from=1&to=2&steps=99", "steps must be in"),
        })
        {
            var response = await http.GetAsync(query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(message, await response.Content.ReadAsStringAsync());
        }
    }
}
