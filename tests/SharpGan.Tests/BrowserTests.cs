using Microsoft.Playwright;
using SharpGan.Lab;
using SharpGan.Training;
using SharpGan.Web;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// The lab in a real browser: Debian's chromium, driven by Playwright (its own browser download cannot work offline,
/// so it is pointed at the system executable). Skips on a machine without chromium; under CI, .ci/run installs it.
/// </summary>
[Collection("browser")]
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Chromium with one page, collecting the page's script errors; disposing closes both.</summary>
    private sealed class Browser : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        public IPage Page { get; }

        public List<string> Errors { get; } = [];

        private Browser(IPlaywright playwright, IBrowser browser, IPage page)
        {
            (_playwright, _browser, Page) = (playwright, browser, page);
            page.PageError += (_, e) => Errors.Add(e);
        }

        public static async Task<Browser> Open()
        {
            OptionalNative.Require(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium) for the browser tests");
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            return new Browser(playwright, browser, await browser.NewPageAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }

    private static Task<double> Number(IPage page, string script) => page.EvaluateAsync<double>(script);

    [SkippableFact]
    public async Task LabDrawsPointsThatMoveStepsOnceAndTakesDrawnData()
    {
        await using var browser = await Browser.Open();
        await using var server = await LabServer.StartAsync(new ServerAddress(), new LabSettings { Seed = 2, Speed = 100 }, play: true);
        var page = browser.Page;
        await page.GotoAsync(server.Url.ToString());

        // Generated points move between two frames while playing.
        await page.WaitForFunctionAsync("() => window.labFrame && window.labFrame.iterations > 5");
        string firstFake = await page.EvaluateAsync<string>("() => JSON.stringify(window.labFrame.fake)");
        double firstIteration = await Number(page, "() => window.labFrame.iterations");
        await page.WaitForFunctionAsync($"() => window.labFrame.iterations > {firstIteration + 10}");
        Assert.NotEqual(firstFake, await page.EvaluateAsync<string>("() => JSON.stringify(window.labFrame.fake)"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "sharpgan-lab.png") });

        // Pause, then Step advances the counter shown on the page by exactly one.
        await page.ClickAsync("#pause");
        await page.WaitForFunctionAsync("() => !window.labFrame.playing");
        int before = int.Parse(await page.InnerTextAsync("#iterations"));
        await page.ClickAsync("#step");
        await page.WaitForFunctionAsync($"() => document.getElementById('iterations').textContent === '{before + 1}'");
        await Task.Delay(300);
        Assert.Equal(before + 1, int.Parse(await page.InnerTextAsync("#iterations")));

        // Three clicks on the plane become the data: three modes, the real points around them.
        var box = (await page.Locator("#plane").BoundingBoxAsync())!;
        foreach (var (fx, fy) in new[] { (0.25, 0.25), (0.75, 0.3), (0.5, 0.8) })
            await page.Mouse.ClickAsync((float)(box.X + fx * box.Width), (float)(box.Y + fy * box.Height));
        await page.WaitForFunctionAsync("() => window.labFrame.modes.length === 3 && window.labFrame.real.length > 0");
        Assert.Equal("drawn", await page.EvaluateAsync<string>("() => window.labFrame.settings.data"));
        // The clicks (their requests may arrive in any order) land where they were made in the [−3, 3]² view: a quarter of
        // the width and height is (−1.5, 1.5), and so on.
        var modes = await page.EvaluateAsync<double[][]>("() => window.labFrame.modes");
        foreach (var (x, y) in new[] { (-1.5, 1.5), (1.5, 1.2), (0.0, -1.8) })
            Assert.Contains(modes, m => Math.Abs(m[0] - x) < 0.1 && Math.Abs(m[1] - y) < 0.1);
        Assert.Empty(browser.Errors);
    }

    [SkippableFact]
    public async Task SettingFiveGeneratorStepsCollapsesCoverage()
    {
        await using var browser = await Browser.Open();
        await using var server = await LabServer.StartAsync(new ServerAddress(), new LabSettings { Seed = 2, Speed = 5000 }, play: true);
        var page = browser.Page;
        await page.GotoAsync(server.Url.ToString());
        // Algorithm 1: several of ring8's modes are reached within 1 000 iterations.
        await page.WaitForFunctionAsync("() => window.labFrame && window.labFrame.history.some(p => p.iteration <= 1000 && p.modesCovered >= 4)", null, new() { Timeout = 120_000 });
        // G five times per iteration, from the same start: coverage falls to (almost) nothing.
        await page.FillAsync("input[name=generatorSteps]", "5");
        await page.ClickAsync("#settings button[type=submit]");
        await page.WaitForFunctionAsync("() => window.labFrame.settings.generatorSteps === 5");
        await page.ClickAsync("#reset");
        // After the reset every iteration took five G steps: G's count is five times the iterations (before it, it was not).
        await page.WaitForFunctionAsync("() => { const f = window.labFrame; return f.iterations >= 1000 && f.generatorSteps === 5 * f.iterations; }", null, new() { Timeout = 120_000 });
        double collapsed = await Number(page, "() => Math.max(...window.labFrame.history.filter(p => p.iteration <= 1000).map(p => p.modesCovered))");
        Assert.True(collapsed <= 1, $"with 5 G steps per iteration {collapsed} of 8 modes were covered at some point");
        Assert.Matches("^[01] / 8$", await page.InnerTextAsync("#modes-covered"));
    }
    [SkippableFact]
    public async Task DashboardFollowsARunAsItTrains()
    {
        await using var browser = await Browser.Open();
        var run = new RunDirectory(Directory.CreateTempSubdirectory("sharpgan-watch-").FullName);
        var config = TrainerTests.Small(300) with { Training = TrainerTests.Small(300).Training with { SampleEvery = 60, LogEvery = 10 } };
        File.WriteAllText(run.ConfigPath, ConfigIo.ToJson(config));
        await using var server = await DashboardServer.StartAsync(new ServerAddress(), run);
        var page = browser.Page;
        await page.GotoAsync(server.Url.ToString());
        await page.WaitForFunctionAsync("() => window.runStatus && window.runStatus.step === 0");

        // The page is open before the run writes anything; it follows the run as it trains.
        // Training holds at step 150 until the page has shown a step between the first and the last: on a busy machine
        // the page's polling could otherwise miss the whole run, on an idle one the run could end between two polls.
        using var pageSawAStep = new ManualResetEventSlim();
        var training = Task.Run(() => TrainerTests.Trainer(config, run).Train(progress: p => { if (p.Step == 150) pageSawAStep.Wait(TimeSpan.FromSeconds(90)); }));
        try { await page.WaitForFunctionAsync("() => window.runStatus.step > 0 && window.runStatus.step < 300", null, new() { Timeout = 60_000 }); }
        finally { pageSawAStep.Set(); }
        await training;
        await page.WaitForFunctionAsync("() => window.runStatus.step === 300 && window.runStatus.samples.length >= 5", null, new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => document.getElementById('grid').complete && document.getElementById('grid').naturalWidth > 0");
        Assert.Equal("done", await page.InnerTextAsync("#eta"));
        Assert.Equal(300, await Number(page, "() => window.runStatus.totalSteps"));
        // The loss chart drew its two lines: pixels coloured blue (D) or orange (G), where white and the frame's grey have r = b.
        double coloured = await Number(page, @"() => { const c = document.getElementById('losses'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i + 2] - d[i]) > 60) n++; return n; }");
        Assert.True(coloured > 50, $"the loss chart has {coloured} coloured pixels");
        // The slider walks back through the grids.
        await page.Locator("#grid-slider").FillAsync("0");
        await page.WaitForFunctionAsync("() => document.getElementById('grid-name').textContent === window.runStatus.samples[0]");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "sharpgan-dashboard.png") });
        Assert.Empty(browser.Errors);
    }
    [SkippableFact]
    public async Task Figure1ViewPlaysTheOneDimensionalGameTowardsMinusLog4()
    {
        await using var browser = await Browser.Open();
        await using var server = await LabServer.StartAsync(new ServerAddress(), new LabSettings(), play: false);
        var page = browser.Page;
        await page.GotoAsync(server.Url + "figure1");
        await page.WaitForFunctionAsync("() => window.figure1Frame && !window.figure1Frame.playing");
        double startJsd = await Number(page, "() => window.figure1Frame.jensenShannon");
        await page.FillAsync("input[name=speed]", "2000");
        await page.ClickAsync("#controls button[type=submit]");
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => window.figure1Frame.iterations >= 1500", null, new() { Timeout = 120_000 });
        await page.ClickAsync("#pause");
        await page.WaitForFunctionAsync("() => !window.figure1Frame.playing");
        double jsd = await Number(page, "() => window.figure1Frame.jensenShannon");
        Assert.True(jsd < startJsd / 3, $"JSD {startJsd} → {jsd} after 1 500 iterations");
        // The page shows max_D V = −log 4 + 2·JSD, the identity of the paper's Theorem 1.
        double value = double.Parse(await page.InnerTextAsync("#value"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(value - (-Math.Log(4) + 2 * jsd)) < 2e-4, $"shown max_D V {value}, −log 4 + 2·JSD = {-Math.Log(4) + 2 * jsd}"); // shown to 4 decimals
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "sharpgan-figure1.png") });
        Assert.Empty(browser.Errors);
    }
    [SkippableFact]
    public async Task ExplorerSlidersAndInterpolationRedrawTheSample()
    {
        await using var browser = await Browser.Open();
        var run = new RunDirectory(Directory.CreateTempSubdirectory("sharpgan-explore-").FullName);
        var config = TrainerTests.Small(40);
        TrainerTests.Trainer(config, run).Train();
        File.WriteAllText(run.ConfigPath, ConfigIo.ToJson(config));
        await using var server = await DashboardServer.StartAsync(new ServerAddress(), run);
        var page = browser.Page;
        await page.GotoAsync(server.Url + "explore");
        await page.WaitForFunctionAsync("() => document.getElementById('sample').dataset.loads === '1' && document.getElementById('sample').naturalWidth > 0");
        Assert.Equal(6, await page.Locator("#sliders input").CountAsync());
        await page.Locator("#sliders input").First.FillAsync("3");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('sample').dataset.loads) >= 2");
        await page.ClickAsync("#pick-a");
        await page.ClickAsync("#random");
        await page.ClickAsync("#pick-b");
        await page.ClickAsync("#interpolate");
        await page.WaitForFunctionAsync("() => { const s = document.getElementById('strip'); return !s.hidden && s.complete && s.naturalWidth > 0; }");
        // Ten 28-pixel samples at scale 3 with 1-pixel gaps side by side.
        Assert.Equal(10 * (28 * 3 + 1) + 1, await Number(page, "() => document.getElementById('strip').naturalWidth"));
        Assert.Equal("", await page.InnerTextAsync("#error"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "sharpgan-explore.png") });
        Assert.Empty(browser.Errors);
    }
}
