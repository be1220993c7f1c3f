using System.Collections.Concurrent;
using System.Diagnostics;

namespace SharpGan.Lab;

/// <summary>What a single step of the lab does.</summary>
public enum LabStep
{
    /// <summary>One D update.</summary>
    Discriminator,
    /// <summary>One G update.</summary>
    Generator,
    /// <summary>One iteration: k D updates, then the configured G updates.</summary>
    Iteration,
}

/// <summary>A game the lab can play: one iteration at a time, at its own speed, measured into frames.</summary>
public interface ILabGame<out TFrame>
{
    /// <summary>Iterations per second while playing.</summary>
    double Speed { get; }

    /// <summary>One iteration of Algorithm 1.</summary>
    void Iterate();

    /// <summary>One D update, G held.</summary>
    void StepDiscriminator();

    /// <summary>One G update through the current D.</summary>
    void StepGenerator();

    /// <summary>Starts over with fresh networks from <paramref name="seed"/>.</summary>
    void Reset(long seed);

    /// <summary>What the page draws now, numbered <paramref name="version"/>.</summary>
    TFrame Frame(long version, bool playing);
}

/// <summary>A published frame: its number, and whether the game was playing.</summary>
public interface ILabFrame
{
    /// <summary>Grows by one per published frame; a page asks for frames newer than the one it has.</summary>
    long Version { get; }

    /// <summary>Whether the game was playing.</summary>
    bool Playing { get; }
}

/// <summary>
/// Runs a game on its own thread and publishes frames: while playing, iterations at the game's speed and a frame about
/// 15 times a second; after every command, a frame at once. Callers on other threads (the web server's requests) only
/// enqueue commands and read published frames, so a slow or closed page never holds the game up, and the game is never
/// touched by two threads.
/// </summary>
public class GameLoop<TGame, TFrame> : IDisposable where TGame : ILabGame<TFrame> where TFrame : class, ILabFrame
{
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(66);
    private readonly ConcurrentQueue<Action<TGame>> _commands = new();
    // An event, not a SemaphoreSlim: SemaphoreSlim.Wait(10 ms) spins first and overslept to 50 ms on a busy machine.
    private readonly AutoResetEvent _wake = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly TGame _game;
    private readonly object _frameLock = new();
    private TaskCompletionSource _nextFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TFrame _latest;
    private volatile bool _playing;
    private long _version;

    /// <summary>Starts the engine thread on <paramref name="game"/>, playing or paused.</summary>
    protected GameLoop(TGame game, bool play)
    {
        _game = game;
        _playing = play;
        _latest = _game.Frame(++_version, play);
        _thread = new Thread(Run) { IsBackground = true, Name = "sharpgan-lab" };
        _thread.Start();
    }

    /// <summary>The newest frame.</summary>
    public TFrame Latest => _latest;

    /// <summary>A frame newer than <paramref name="version"/>: at once if there is one, else when the next is published or the wait ends (then the latest).</summary>
    public async Task<TFrame> NextFrameAsync(long version, TimeSpan wait, CancellationToken cancel = default)
    {
        Task next;
        lock (_frameLock)
        {
            if (_latest.Version > version) return _latest;
            next = _nextFrame.Task;
        }
        try { await next.WaitAsync(wait, cancel); }
        catch (TimeoutException) { }
        return _latest;
    }

    /// <summary>Plays.</summary>
    public void Play() => Enqueue(_ => _playing = true);

    /// <summary>Pauses.</summary>
    public void Pause() => Enqueue(_ => _playing = false);

    /// <summary>Takes one step of <paramref name="kind"/> and pauses, so the step can be looked at.</summary>
    public void Step(LabStep kind) => Enqueue(game =>
    {
        _playing = false;
        switch (kind)
        {
            case LabStep.Discriminator: game.StepDiscriminator(); break;
            case LabStep.Generator: game.StepGenerator(); break;
            default: game.Iterate(); break;
        }
    });

    /// <summary>Restarts the game from <paramref name="seed"/>; checked here, on the caller's thread.</summary>
    public void Reset(long seed)
    {
        if (seed is < 0 or > int.MaxValue) throw new ArgumentException($"seed must be in [0, {int.MaxValue}], got {seed}");
        Enqueue(game => game.Reset(seed));
    }

    /// <summary>Queues <paramref name="command"/> to run on the game's thread before its next iteration.</summary>
    protected void Enqueue(Action<TGame> command)
    {
        if (_stop.IsCancellationRequested) throw new ObjectDisposedException(nameof(LabSession));
        _commands.Enqueue(command);
        _wake.Set();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan lastFrame = TimeSpan.Zero, lastTick = TimeSpan.Zero;
        double due = 0; // iterations owed at the current speed
        while (!_stop.IsCancellationRequested)
        {
            bool changed = false;
            while (_commands.TryDequeue(out var command))
            {
                command(_game);
                changed = true;
            }
            var now = clock.Elapsed;
            if (_playing)
            {
                due = Math.Min(due + _game.Speed * (now - lastTick).TotalSeconds, Math.Max(1, _game.Speed / 10));
                while (due >= 1 && clock.Elapsed - now < FrameInterval)
                {
                    _game.Iterate();
                    due--;
                    changed = true;
                }
            }
            else due = 0;
            lastTick = now;
            if (changed && (clock.Elapsed - lastFrame >= FrameInterval || !_playing))
            {
                Publish();
                lastFrame = clock.Elapsed;
            }
            // Idle until a command comes, or the next iteration is due while playing.
            var sleep = _playing ? TimeSpan.FromMilliseconds(Math.Clamp((1 - due) / _game.Speed * 1000, 1, 66)) : TimeSpan.FromMilliseconds(250);
            _wake.WaitOne(sleep);
        }
    }

    private void Publish()
    {
        var frame = _game.Frame(_version + 1, _playing);
        TaskCompletionSource done;
        lock (_frameLock)
        {
            _version++;
            _latest = frame;
            done = _nextFrame;
            _nextFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    /// <summary>Stops the engine thread.</summary>
    public virtual void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _wake.Set();
        _thread.Join();
        _stop.Dispose();
        _wake.Dispose();
    }
}

/// <summary>The 2-D lab's game loop and its commands.</summary>
public sealed class LabSession(LabSettings settings, bool play = false) : GameLoop<LabGame, LabFrame>(new LabGame(settings), play)
{
    /// <summary>Applies settings; invalid ones throw <see cref="ArgumentException"/> here, on the caller's thread.</summary>
    public void Apply(LabSettings settings)
    {
        settings.Validate();
        Enqueue(game => game.Apply(settings));
    }

    /// <summary>Adds a drawn data point; coordinates must be finite.</summary>
    public void AddPoint(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) throw new ArgumentException("a point needs finite coordinates");
        Enqueue(game =>
        {
            if (game.DrawnPoints.Count < LabGame.MaxDrawnPoints) game.AddPoint(x, y);
        });
    }

    /// <summary>Removes the drawn points.</summary>
    public void ClearPoints() => Enqueue(game => game.ClearPoints());
}
