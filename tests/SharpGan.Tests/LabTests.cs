using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpGan.Gan;
using SharpGan.Lab;
using SharpGan.Web;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The 2-D lab: the game's steps and frames, its session thread, and the server's validation and guards.</summary>
public class LabTests
{
    [Fact]
    public void HistoryKeepsOnePointPerIterationAndDropsTheOlderHalfWhenFull()
    {
        var history = new BoundedHistory<int>(4);
        history.Record(1, 10);
        history.Record(1, 11); // the same iteration drawn twice: kept once
        history.Record(2, 20);
        history.Record(3, 30);
        history.Record(4, 40);
        Assert.Equal([10, 20, 30, 40], history.ToArray());
        history.Record(5, 50); // full: the older half goes
        Assert.Equal([30, 40, 50], history.ToArray());
        history.Clear();
        Assert.Empty(history.ToArray());
    }

    [Fact]
    public void StepsCountAndMoveTheGeneratedPoints()
    {
        var game = new LabGame(new LabSettings { Seed = 3 });
        var before = game.Frame(0);
        game.StepDiscriminator();
        Assert.Equal((0, 1, 0), (game.Iterations, game.DiscriminatorSteps, game.GeneratorSteps));
        Assert.Equal(before.Fake, game.Frame(1).Fake); // D's step leaves G's points where they were
        game.StepGenerator();
        Assert.Equal((0, 1, 1), (game.Iterations, game.DiscriminatorSteps, game.GeneratorSteps));
        Assert.NotEqual(before.Fake, game.Frame(2).Fake);
        game.Apply(game.Settings with { K = 3, GeneratorSteps = 2 });
        game.Iterate();
        Assert.Equal((1, 4, 3), (game.Iterations, game.DiscriminatorSteps, game.GeneratorSteps));
    }

    [Fact]
    public void TheLabPlaysTheLaterObjectivesToo()
    {
        // WGAN-GP live: the critic's scores are not probabilities, so the heat map shows them scaled to [0, 1], and a
        // change of objective or penalty takes effect without a reset.
        var game = new LabGame(new LabSettings { Objective = GanObjective.Wasserstein, Penalty = GradientPenalty.WganGp, PenaltyWeight = 1, Seed = 2 });
        for (int i = 0; i < 30; i++) game.Iterate();
        var f = game.Frame(1);
        Assert.All(f.Heat, d => Assert.InRange(d, 0f, 1f));
        Assert.Equal(0f, f.Heat.Min());
        Assert.Equal(1f, f.Heat.Max());
        Assert.True(float.IsFinite(f.DiscriminatorLoss) && f.GeneratorLoss is { } g && float.IsFinite(g));
        game.Apply(game.Settings with { Objective = GanObjective.Hinge, Penalty = GradientPenalty.R1 });
        game.Iterate();
        Assert.Equal(31, game.Iterations);
        Assert.Throws<ArgumentException>(() => game.Apply(game.Settings with { PenaltyWeight = 1000 }));
    }

    [Fact]
    public void FrameHoldsWhatThePageDraws()
    {
        var game = new LabGame(new LabSettings { Data = "grid25" });
        for (int i = 0; i < 20; i++) game.Iterate();
        var f = game.Frame(7);
        Assert.Equal(7, f.Version);
        Assert.Equal(25, f.Modes.Length);
        Assert.Equal(6, f.Extent);
        Assert.Equal(600, f.Real.Length);
        Assert.Equal(600, f.Fake.Length);
        Assert.Equal(40 * 40, f.Heat.Length);
        Assert.All(f.Heat, d => Assert.InRange(d, 0f, 1f));
        Assert.Equal(240, f.Arrows.Length);
        Assert.Equal(15 * 15 * 2, f.Manifold.Length);
        Assert.InRange(f.MeanDReal, 0f, 1f);
        Assert.NotNull(f.GeneratorLoss);
        Assert.Equal(20, f.History[^1].Iteration);
        // The real points come from the data: every one within 5σ of a grid mode.
        for (int i = 0; i < f.Real.Length; i += 2)
            Assert.Contains(f.Modes, m => Math.Abs(m[0] - f.Real[i]) < 0.25 && Math.Abs(m[1] - f.Real[i + 1]) < 0.25);
    }

    [Fact]
    public void ArrowsPointWhereGeneratorsUpdateMovesThePoints()
    {
        // With SGD, one G step moves G's weights along −∇; for a small rate the points then move (to first order) along
        // the arrows' directions at least on average: the arrows are −∂loss/∂x, the signal G's update follows.
        var game = new LabGame(new LabSettings { Optimizer = "sgd", GeneratorLearningRate = 1e-3f, Seed = 5 });
        for (int i = 0; i < 5; i++) game.StepDiscriminator();
        var before = game.Frame(0);
        game.StepGenerator();
        var after = game.Frame(1);
        double dot = 0;
        for (int i = 0; i < before.Arrows.Length / 4; i++)
            dot += before.Arrows[4 * i + 2] * (after.Fake[2 * i] - before.Fake[2 * i]) + before.Arrows[4 * i + 3] * (after.Fake[2 * i + 1] - before.Fake[2 * i + 1]);
        Assert.True(dot > 0, $"points moved against the arrows (Σ arrow·move = {dot})");
    }

    [Fact]
    public void DrawnPointsBecomeTheData()
    {
        var game = new LabGame(new LabSettings());
        game.AddPoint(1, 1);
        Assert.Equal("drawn", game.Settings.Data);
        game.AddPoint(-1, 0.5);
        game.AddPoint(9, -9); // clamped into the view
        var f = game.Frame(0);
        Assert.Equal(new[] { 1.0, 1.0 }, f.Modes[0]);
        Assert.Equal(new[] { 3.0, -3.0 }, f.Modes[2]);
        for (int i = 0; i < f.Real.Length; i += 2)
            Assert.Contains(f.Modes, m => Math.Abs(m[0] - f.Real[i]) < 6 * LabGame.DrawnStd && Math.Abs(m[1] - f.Real[i + 1]) < 6 * LabGame.DrawnStd);
        game.ClearPoints();
        Assert.False(game.HasData);
        game.Iterate(); // nothing to train on: a no-op, not a crash
        Assert.Equal(0, game.Iterations);
        Assert.NotNull(game.Frame(1).Message);
    }

    [Fact]
    public void TrainingGeneratorFiveTimesPerIterationCollapsesTheRing()
    {
        // The Helvetica scenario, as the lab shows it: from the same start, Algorithm 1 reaches several modes of ring8
        // within 1 000 iterations, while five G steps per iteration keep every sample off the modes.
        int Covered(int generatorSteps)
        {
            var game = new LabGame(new LabSettings { Seed = 2, GeneratorSteps = generatorSteps });
            for (int i = 0; i < 1000; i++) game.Iterate();
            return game.Frame(0).ModesCovered;
        }
        int algorithm1 = Covered(1), helvetica = Covered(5);
        Assert.True(algorithm1 >= 4, $"Algorithm 1 covered {algorithm1}/8");
        Assert.Equal(0, helvetica);
    }

    [Theory]
    [InlineData("{\"data\":\"moons\"}", "data 'moons'")]
    [InlineData("{\"k\":0}", "K must be")]
    [InlineData("{\"hidden\":100000}", "Hidden must be")]
    [InlineData("{\"speed\":1e9}", "Speed must be")]
    [InlineData("{\"discriminatorLearningRate\":-1}", "DiscriminatorLearningRate must be")]
    public void SettingsOutOfRangeAreRefusedWithTheirName(string json, string expected)
    {
        var settings = JsonSerializer.Deserialize<LabSettings>(json, LocalServer.Json)!;
        Assert.Contains(expected, Assert.Throws<ArgumentException>(settings.Validate).Message);
    }

    [Fact]
    public async Task SessionPlaysStepsAndPublishesFrames()
    {
        using var session = new LabSession(new LabSettings { Speed = 200 }, play: true);
        var first = session.Latest;
        var later = await session.NextFrameAsync(first.Version, TimeSpan.FromSeconds(10));
        Assert.True(later.Version > first.Version);
        session.Pause();
        LabFrame paused = later;
        for (int i = 0; i < 100 && paused.Playing; i++) paused = await session.NextFrameAsync(paused.Version, TimeSpan.FromSeconds(1));
        Assert.False(paused.Playing);
        session.Step(LabStep.Iteration);
        var stepped = await session.NextFrameAsync(paused.Version, TimeSpan.FromSeconds(10));
        for (int i = 0; i < 20 && stepped.Iterations == paused.Iterations; i++) stepped = await session.NextFrameAsync(stepped.Version, TimeSpan.FromSeconds(1));
        Assert.Equal(paused.Iterations + 1, stepped.Iterations);
        Assert.Throws<ArgumentException>(() => session.Apply(new LabSettings { K = 0 }));
        Assert.Throws<ArgumentException>(() => session.AddPoint(double.NaN, 0));
    }

    [Fact]
    public async Task ServerRefusesForeignHostsCrossOriginWritesAndBadValues()
    {
        await using var server = await LabServer.StartAsync(new ServerAddress(), new LabSettings(), play: false);
        using var http = new HttpClient { BaseAddress = server.Url };
        string origin = server.Url.GetLeftPart(UriPartial.Authority);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        var frame = await http.GetFromJsonAsync<JsonElement>("/api/lab/frame", LocalServer.Json);
        Assert.Equal("ring8", frame.GetProperty("settings").GetProperty("data").GetString());

        // DNS rebinding: the browser sends the attacker's host name.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/lab/frame");
        rebound.Headers.Host = $"attacker.example:{server.Url.Port}";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound)).StatusCode);

        // A foreign page embedding our endpoints (an <img>, a script tag) is refused; following a link to the page is not.
        var embedded = new HttpRequestMessage(HttpMethod.Get, "/api/lab/frame");
        embedded.Headers.Add("Sec-Fetch-Site", "cross-site");
        embedded.Headers.Add("Sec-Fetch-Mode", "no-cors");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(embedded)).StatusCode);
        var followed = new HttpRequestMessage(HttpMethod.Get, "/");
        followed.Headers.Add("Sec-Fetch-Site", "cross-site");
        followed.Headers.Add("Sec-Fetch-Mode", "navigate");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(followed)).StatusCode);

        HttpRequestMessage Post(string path, string body, string? from, string type = "application/json")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, type) };
            if (from is not null) request.Headers.Add("Origin", from);
            return request;
        }
        const string pause = "{\"action\":\"pause\"}";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post("/api/lab/command", pause, "http://evil.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post("/api/lab/command", pause, null))).StatusCode);
        // A cross-origin form post cannot send JSON; a form-encoded body is refused even from the right origin.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await http.SendAsync(Post("/api/lab/command", "action=pause", origin, "application/x-www-form-urlencoded"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(Post("/api/lab/command", pause, origin))).StatusCode);

        async Task<string> Refusal(string path, string body)
        {
            var response = await http.SendAsync(Post(path, body, origin));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("K must be in [1, 20]", await Refusal("/api/lab/settings", "{\"k\":21}"));
        Assert.Contains("could not be mapped", await Refusal("/api/lab/settings", "{\"path\":\"/etc/passwd\"}"));
        Assert.Contains("malformed JSON", await Refusal("/api/lab/settings", "{\"k\":"));
        Assert.Contains("unknown action", await Refusal("/api/lab/command", "{\"action\":\"shutdown\"}"));
        Assert.Contains("finite", await Refusal("/api/lab/command", "{\"action\":\"add_point\",\"x\":1}"));
        Assert.Contains("after must be", await (await http.GetAsync("/api/lab/frame?after=abc")).Content.ReadAsStringAsync());
        var huge = await http.SendAsync(Post("/api/lab/settings", "{\"data\":\"" + new string('x', LocalServer.MaxBodyBytes * 2) + "\"}", origin));
        Assert.True(huge.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"an oversized body got {huge.StatusCode}");
        // No file is served by name: only the page's fixed assets exist.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/lab.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/../../etc/passwd")).StatusCode);
        // The game survived all of it.
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(Post("/api/lab/command", "{\"action\":\"step\",\"kind\":\"generator\"}", origin))).StatusCode);
    }
    [Fact]
    public void Figure1GameStepsAndMeasuresTheValueIdentity()
    {
        var game = new Figure1Game(seed: 2);
        var start = game.Frame(0, false);
        game.StepDiscriminator();
        game.StepGenerator();
        Assert.Equal((0, 1, 1), (game.Iterations, game.DiscriminatorSteps, game.GeneratorSteps));
        for (int i = 0; i < 300; i++) game.Iterate();
        var f = game.Frame(1, true);
        Assert.Equal(300, f.Iterations);
        Assert.Equal(1 + 300 * 3, f.DiscriminatorSteps); // Figure 1's k = 3
        Assert.True(f.JensenShannon < start.JensenShannon, $"JSD {start.JensenShannon} → {f.JensenShannon}");
        Assert.Equal(-Math.Log(4) + 2 * f.JensenShannon, f.ValueAtOptimum, 3);
        Assert.Equal(200, f.X.Length);
        Assert.All(f.OptimalDiscriminator, d => Assert.InRange(d, 0f, 1f));
        Assert.Throws<ArgumentException>(() => game.SetSpeed(0));
    }
    [Fact]
    public async Task ReconnectingPagesLeakNeitherThreadsNorMemory()
    {
        // 40 "pages" at once, each opening a long poll and dropping it mid-wait (a closed tab, a reload). After 10 rounds
        // the thread pool has grown to the load; 20 more rounds (800 more aborted requests) must not grow threads or
        // memory further: a leak grows with the requests, a pool does not.
        await using var server = await LabServer.StartAsync(new ServerAddress(), new LabSettings { Speed = 30 }, play: true);
        using var http = new HttpClient { BaseAddress = server.Url };
        async Task Round()
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(20 + 7 * i));
                try { await http.GetAsync($"/api/lab/frame?after={long.MaxValue - 1}", hangUp.Token); }
                catch (OperationCanceledException) { }
            }));
        }
        static (int Threads, long Bytes) Measure()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (System.Diagnostics.Process.GetCurrentProcess().Threads.Count, GC.GetTotalMemory(forceFullCollection: true));
        }
        for (int r = 0; r < 10; r++) await Round();
        await Task.Delay(2500); // the server's own long polls (2 s) end
        var before = Measure();
        for (int r = 0; r < 20; r++) await Round();
        await Task.Delay(2500);
        var after = Measure();
        Assert.True(after.Threads <= before.Threads + 4, $"threads {before.Threads} → {after.Threads}");
        Assert.True(after.Bytes - before.Bytes < 8 << 20, $"managed memory {before.Bytes >> 20} → {after.Bytes >> 20} MB");
        // Still serving.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/lab/frame")).StatusCode);
    }
}
