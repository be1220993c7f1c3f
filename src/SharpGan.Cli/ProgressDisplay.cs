using System.Diagnostics;
using SharpGan.Gan;
using SharpGan.Training;
using Spectre.Console;

namespace SharpGan.Cli;

/// <summary>
/// Shows training progress: a live Spectre.Console bar with the losses in a terminal; one plain line every few
/// seconds in a pipe or CI. Ctrl-C or SIGTERM asks the trainer to checkpoint and stop (a second one kills at once).
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Trains until done, a stop signal, or <paramref name="timeLimit"/> of wall time (then, as for a signal, a
    /// checkpoint and a clean stop; <paramref name="timedOut"/> says which).
    /// </summary>
    public static TrainResult Run(GanTrainer trainer, TimeSpan? timeLimit, out bool timedOut)
    {
        using var stop = new StopSignals("stopping after this step; saving a checkpoint…");
        using var budget = timeLimit is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, budget.Token);
        bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null && AnsiConsole.Profile.Capabilities.Interactive;
        var result = interactive ? RunLive(trainer, either.Token) : RunPlain(trainer, either.Token);
        timedOut = result.Outcome == TrainOutcome.Stopped && budget.IsCancellationRequested && !stop.Token.IsCancellationRequested;
        return result;
    }

    // The whole run's position (epoch x/N, step, %), this session's speed; "—" until speed is known.
    private static string Describe(TrainProgress p) =>
        $"epoch {p.Epoch,6:F2}/{p.TotalEpochs}  step {p.Step}/{p.TotalSteps} ({100 * p.Fraction:F1}%)  D loss {p.Last.DiscriminatorLoss:F3}  G loss {p.Last.GeneratorLoss:F3}  " +
        $"D(x) {p.Last.MeanDReal:F3}  D(G(z)) {p.Last.MeanDFake:F3}  {(p.ImagesPerSecond is { } ips ? $"{ips:F0}" : "—")} img/s  ETA {Format(p.Remaining)}";

    private static string Format(TimeSpan? t) => t switch
    {
        null => "—",
        { TotalHours: >= 1 } h => $"{(int)h.TotalHours}h{h.Minutes:D2}m",
        { } m => $"{m.Minutes}m{m.Seconds:D2}s",
    };

    private static TrainResult RunPlain(GanTrainer trainer, CancellationToken stop)
    {
        long last = Stopwatch.GetTimestamp();
        return trainer.Train(stop, p =>
        {
            if (Stopwatch.GetElapsedTime(last) < PlainInterval && p.Step != p.TotalSteps) return;
            last = Stopwatch.GetTimestamp();
            Console.WriteLine(Describe(p));
        });
    }

    private static TrainResult RunLive(GanTrainer trainer, CancellationToken stop)
    {
        TrainResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .Start(ctx =>
            {
                // The bar spans the whole run: a resumed run starts part-filled, at the step it resumes from.
                var task = ctx.AddTask("starting", maxValue: Math.Max(1, trainer.TotalSteps));
                task.Value = trainer.Step;
                result = trainer.Train(stop, p =>
                {
                    task.Value = p.Step;
                    task.Description = Markup.Escape(Describe(p));
                });
            });
        return result!;
    }
}
