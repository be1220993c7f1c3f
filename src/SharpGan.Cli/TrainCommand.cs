using System.CommandLine;
using SharpGan.Web;
using SharpGan.Data;
using SharpGan.Distributed;
using SharpGan.Evaluation;
using SharpGan.IO;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan train`: from a preset, an edited config, or a run to resume.</summary>
internal static class TrainCommand
{
    private static readonly Option<string?> Preset = new("--preset") { Description = "Preset to train (see `sharpgan presets`)" };
    private static readonly Option<FileInfo?> Config = new("--config") { Description = "Train from a JSON config (write one with --print-config)" };
    private static readonly Option<DirectoryInfo?> Resume = new("--resume") { Description = "Continue the run in this directory from its latest checkpoint" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the full JSON config and exit" };
    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Run directory (default: runs/<preset>)" };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset (DIR/mnist/…); else $SHARPGAN_DATA, the cache, then download" };
    private static readonly Option<double?> Ema = new("--ema") { Description = "Keep an exponential moving average of G's weights with this decay (e.g. 0.999) and draw every sample from it; with --resume it starts from the weights reached (0 = none)" };
    private static readonly Option<double?> Anneal = new("--anneal") { Description = "With --resume: from now on divide the learning rate by this per update (e.g. 1.0001 = e-fold every 10 000 updates), continuing from the rate reached" };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Epochs to train (overrides the config; on --resume, extends the run)" };
    private static readonly Option<long?> MaxSteps = new("--max-steps") { Description = "Stop after this many iterations" };
    private static readonly Option<long?> Seed = new("--seed") { Description = "Master random seed" };
    private static readonly Option<double?> TimeLimit = new Option<double?>("--time-limit")
    {
        Description = "Stop after this many minutes of training (checkpoint first; exit 0): runs compared at the same wall-clock budget. Resume continues",
    }.InRange(0.01, 1e6);
    private static readonly Option<int?> Threads = new Option<int?>("--threads") { Description = "Threads (default: all cores)" }.InRange(1, 1024);
    private static readonly Option<int?> SampleEvery = new("--sample-every") { Description = "Iterations between sample grids (0 = every epoch)" };
    private static readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "Iterations between checkpoints (0 = every epoch)" };
    private static readonly Option<int?> TrainLimit = new("--train-limit") { Description = "Use only the first N training images" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace a run already in --out" };
    private static readonly Option<int?> EvalEvery = new("--eval-every") { Description = "Iterations between sample-quality measurements (FD, classifier score, classes, precision/recall, fast Parzen) appended to metrics.csv and the chart; 0 = never" };
    private static readonly Option<int?> EvalSamples = new("--eval-samples") { Description = "Samples per measurement (default 2000)" };
    private static readonly Option<bool> NoEvalParzen = new("--no-eval-parzen") { Description = "Leave the fast Parzen number out of the measurements" };
    private static readonly Option<int?> Serve = new("--serve")
    {
        Description = $"Serve a dashboard of the run while it trains, on this port (default {WatchCommand.DefaultPort}); loopback only",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = r => r.Tokens.Count == 0 ? WatchCommand.DefaultPort
            : int.TryParse(r.Tokens[0].Value, out int port) && port is >= 0 and <= 65535 ? port : FailPort(r),
    };
    private static int? FailPort(System.CommandLine.Parsing.ArgumentResult r)
    {
        r.AddError($"--serve {r.Tokens[0].Value}: a port is a whole number in [0, 65535]");
        return null;
    }
    private static readonly Option<FileInfo?> ClassifierFile = new("--classifier") { Description = "Feature classifier for the measurements (default: the one `sharpgan classifier train` saved)" };

    public static Command Create()
    {
        var command = new Command("train", "Train a GAN (Algorithm 1) into a run directory: checkpoints, samples/, metrics.csv, chart.svg. Under `mpirun -np N`, N processes train one model, each on its share of every minibatch.");
        foreach (var o in new Option[] { Preset, Config, Resume, Anneal, Ema, PrintConfig, Out, DataDir, Epochs, MaxSteps, Seed, Threads, TimeLimit, SampleEvery, CheckpointEvery, TrainLimit, Force, EvalEvery, EvalSamples, NoEvalParzen, ClassifierFile, Serve })
            command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        // Under mpirun (or srun) several processes train one model together; alone, this is the group of one.
        ProcessGroup group;
        try { group = ProcessGroup.FromEnvironment(); }
        catch (MpiException e) { throw new UserError(e.Message); }
        using (group)
        {
            if (group.Size == 1) return Execute(parse, group);
            if (!group.IsRoot) Console.SetOut(TextWriter.Null); // rank 0 speaks for the job; every rank may still report an error
            try
            {
                return Execute(parse, group);
            }
            catch (Exception e)
            {
                // The others may be waiting in a collective for this one: end the whole job, with this line saying why.
                int code = Guard.Report(e, $"rank {group.Rank} of {group.Size}: ");
                group.Abort(code);
                return code;
            }
        }
    }

    private static int Execute(ParseResult parse, ProcessGroup group)
    {
        if (parse.GetValue(Threads) is { } threads)
        {
            if (threads <= 0) throw new UserError($"--threads must be positive, got {threads}");
            Engine.Threads = threads;
        }
        else if (group.Size > 1 && ProcessGroup.LocalProcesses() is { } local && Environment.GetEnvironmentVariable("SHARPGAN_THREADS") is null)
            Engine.Threads = Math.Max(1, Environment.ProcessorCount / local); // the processes on one machine share its cores
        var resumeDir = parse.GetValue(Resume);
        Checkpoint.Loaded? checkpoint = null;
        RunDirectory run;
        GanConfig config;
        if (resumeDir is not null)
        {
            if (parse.GetValue(Preset) is not null || parse.GetValue(Config) is not null)
                throw new UserError("--resume continues a run with its own config; do not combine it with --preset or --config");
            run = new RunDirectory(resumeDir.FullName);
            if (File.Exists(run.Root)) throw new UserError($"{run.Root}: is a file, not a run folder; --resume takes the folder a run wrote (its --out)");
            if (!Directory.Exists(run.Root)) throw new UserError($"{run.Root}: no such run directory");
            string latest = run.LatestCheckpoint() ?? throw new UserError($"{run.Root}: has no checkpoint to resume from");
            checkpoint = Checkpoint.Read(latest);
            if (parse.GetValue(Seed) is not null)
                throw new UserError("--seed cannot change a run being resumed: its random streams continue from the checkpoint (start a new run with --out to use another seed)");
            config = checkpoint.Config with { Training = checkpoint.Config.Training with
            {
                Epochs = parse.GetValue(Epochs) ?? checkpoint.Config.Training.Epochs,
                MaxSteps = parse.GetValue(MaxSteps) ?? checkpoint.Config.Training.MaxSteps,
            } };
            if (parse.GetValue(Anneal) is { } factor) config = WithAnnealPhase(config, checkpoint.State.Step, factor);
            config = WithEvaluation(config, parse);
        }
        else
        {
            if (parse.GetValue(Anneal) is not null)
                throw new UserError("--anneal changes the decay of a run being resumed (--resume DIR); a new run sets optimizer.lr_decay_factor in its config");
            config = BaseConfig(parse);
            run = new RunDirectory(parse.GetValue(Out)?.FullName ?? Path.Combine("runs", config.Preset));
            if (File.Exists(run.Root)) throw new UserError($"{run.Root}: is a file; --out names the folder the run is written to");
        }
        if (parse.GetValue(Ema) is { } ema) config = config with { Training = config.Training with { GeneratorEma = ema } };
        ConfigIo.Validate(config, "options");
        if (parse.GetValue(PrintConfig))
        {
            Console.WriteLine(ConfigIo.ToJson(config));
            return 0;
        }
        if (checkpoint is null && run.HoldsRun && !parse.GetValue(Force))
            throw new UserError($"{run.Root} already holds a run; continue it with --resume {run.Root}, or pass --force to replace it");

        // Data and classifier first: a missing one must not leave a half-made run folder behind.
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var train = DatasetCatalog.Load(config.Dataset, DatasetSplit.Train, config.PixelRange, locator);
        if (config.TrainLimit is { } limit) train = train.Take(limit);
        if (checkpoint is not null)
        {
            int perEpoch = GanTrainer.IterationsPerEpochFor(config, train.Count);
            string stands = $"{run.Root} already stands at epoch {checkpoint.State.Step / (double)perEpoch:F2} (step {checkpoint.State.Step})";
            if (parse.GetValue(Epochs) is { } epochs && (long)epochs * perEpoch <= checkpoint.State.Step)
                throw new UserError($"{stands}; --epochs {epochs} is not beyond that, so there is nothing to train: give a larger --epochs");
            if (parse.GetValue(MaxSteps) is { } maxSteps && maxSteps <= checkpoint.State.Step)
                throw new UserError($"{stands}; --max-steps {maxSteps} is not beyond that, so there is nothing to train: give a larger --max-steps");
        }
        var probe = config.Training.EvalEvery > 0 ? QualityProbe(config, parse.GetValue(ClassifierFile), locator) : null;

        // One writer per run: taken before anything in the folder changes, held until training ends. In a data-parallel
        // job rank 0 is that writer; the other ranks only read the checkpoint they resume from.
        using var runLock = group.IsRoot ? WritableRunLock(run) : null;
        if (group.IsRoot)
        {
            if (checkpoint is null && run.HoldsRun && !parse.GetValue(Force)) // another process may have started this run since the check above
                throw new UserError($"{run.Root} already holds a run; continue it with --resume {run.Root}, or pass --force to replace it");
            if (checkpoint is not null && run.LatestCheckpoint() != checkpoint.Path)
                throw new UserError($"{run.Root} gained a newer checkpoint while this command started; run it again to resume from that one");
            if (run.RemoveTemporaryFiles() is > 0 and var removed)
                Console.Error.WriteLine($"removed {removed} temporary file(s) an interrupted writer left in {run.Root}");
            if (checkpoint is null && run.HoldsRun) run.Clear();
        }
        // The trainer first: it restores the checkpoint and reads metrics.csv, and either may refuse a damaged file
        // before config.json is touched.
        var trainer = new GanTrainer(config, train, run, checkpoint, group) { QualityProbe = group.IsRoot ? probe : null };
        if (group.IsRoot) AtomicFile.WriteAllText(run.ConfigPath, ConfigIo.ToJson(config));
        Console.WriteLine($"{(checkpoint is null ? "training" : $"resuming at step {trainer.Step}")} {config.Preset} on {config.Dataset} ({train.Count} images, {trainer.IterationsPerEpoch} iterations/epoch) → {run.Root}");
        if (group.Size > 1) Console.WriteLine($"data-parallel: {group.Description}; each minibatch of {config.Training.BatchSize} split over them");
        TrainResult result;
        // The dashboard reads the run folder the trainer writes; it never touches the trainer, so a slow page cannot slow it.
        var dashboard = group.IsRoot && parse.GetValue(Serve) is { } port
            ? DashboardServer.StartAsync(WatchCommand.Address("127.0.0.1", port), run).GetAwaiter().GetResult() : null;
        if (dashboard is not null) Console.WriteLine($"dashboard: {dashboard.Url}");
        try
        {
            result = ProgressDisplay.Run(trainer, parse.GetValue(TimeLimit) is { } minutes ? TimeSpan.FromMinutes(minutes) : null, out bool timedOut);
            if (timedOut)
            {
                Console.WriteLine($"time limit of {parse.GetValue(TimeLimit)} min reached at step {result.Step}; continue with `sharpgan train --resume {run.Root}`");
                if (result.LastCheckpoint is not null) Console.WriteLine($"checkpoint: {result.LastCheckpoint}");
                return 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a folder that turned read-only: what was written before stays (files are replaced atomically).
            string last = run.LatestCheckpoint() is { } good ? $"the last good checkpoint, {good}, is intact: resume with `sharpgan train --resume {run.Root}` once it can be written" : "no checkpoint had been written yet";
            throw new IOException($"cannot write to {run.Root} ({e.Message.TrimEnd('.')}); {last}", e);
        }
        finally
        {
            dashboard?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        Console.WriteLine(result.Message);
        if (result.LastCheckpoint is not null && result.Outcome != TrainOutcome.Diverged) Console.WriteLine($"checkpoint: {result.LastCheckpoint}");
        return result.Outcome switch
        {
            TrainOutcome.Completed => 0,
            TrainOutcome.Stopped => 130,
            _ => 3,
        };
    }

    // The run's lock, or one line saying why the folder cannot be written (read-only, not permitted).
    private static IDisposable WritableRunLock(RunDirectory run)
    {
        try { return run.Lock(); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UserError($"cannot write to {run.Root} ({e.Message.TrimEnd('.')}); give a writable --out, or copy the run somewhere writable and resume it there");
        }
    }

    // A phase starting at the step the run resumes from; one already starting there (resumed, then stopped
    // before training) is replaced rather than duplicated.
    private static GanConfig WithAnnealPhase(GanConfig config, long step, double factor)
    {
        if (!(factor >= 1) || !double.IsFinite(factor)) throw new UserError($"--anneal must be a finite number ≥ 1 (the divisor per update), got {factor}");
        var phases = config.Optimizer.LrAnneal.Where(p => p.FromStep < step).Append(new LrAnnealPhase(step, factor)).ToList();
        return config with { Optimizer = config.Optimizer with { LrAnneal = phases } };
    }

    private static GanConfig BaseConfig(ParseResult parse)
    {
        string? preset = parse.GetValue(Preset);
        var file = parse.GetValue(Config);
        if (preset is not null && file is not null) throw new UserError("give --preset or --config, not both");
        var config = file is not null ? ConfigIo.Load(file.FullName)
            : preset is not null ? Presets.Get(preset)
            : throw new UserError("nothing to train: give --preset NAME (see `sharpgan presets`), --config FILE or --resume DIR");
        var t = config.Training;
        return WithEvaluation(config with
        {
            Seed = parse.GetValue(Seed) ?? config.Seed,
            TrainLimit = parse.GetValue(TrainLimit) ?? config.TrainLimit,
            Training = t with
            {
                Epochs = parse.GetValue(Epochs) ?? t.Epochs,
                MaxSteps = parse.GetValue(MaxSteps) ?? t.MaxSteps,
                SampleEvery = parse.GetValue(SampleEvery) ?? t.SampleEvery,
                CheckpointEvery = parse.GetValue(CheckpointEvery) ?? t.CheckpointEvery,
            },
        }, parse);
    }

    // The evaluation options apply to new and resumed runs alike (a resumed run can start measuring).
    private static GanConfig WithEvaluation(GanConfig config, ParseResult parse) => config with
    {
        Training = config.Training with
        {
            EvalEvery = parse.GetValue(EvalEvery) ?? config.Training.EvalEvery,
            EvalSamples = parse.GetValue(EvalSamples) ?? config.Training.EvalSamples,
            EvalParzen = !parse.GetValue(NoEvalParzen) && config.Training.EvalParzen,
        },
    };

    private static TrainingQualityProbe QualityProbe(GanConfig config, FileInfo? classifierFile, DatasetLocator locator)
    {
        var (classifier, _) = FeatureClassifier.LoadFor(config.Dataset, classifierFile?.FullName, "--eval-every");
        var test = DatasetCatalog.Load(config.Dataset, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        if (config.Training.EvalSamples > test.Count)
            throw new UserError($"--eval-samples {config.Training.EvalSamples} needs as many {config.Dataset} test images; there are {test.Count}");
        var validation = config.Training.EvalParzen ? DatasetCatalog.Load(config.Dataset, DatasetSplit.Validation, PixelRange.ZeroOne, locator) : null;
        return new TrainingQualityProbe(classifier, test, config.Training.EvalSamples, validation);
    }
}
