using System.Runtime.InteropServices;

namespace SharpGan.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (kill, docker stop, a batch scheduler's preemption) turned into one clean stop: the
/// first cancels <see cref="Token"/> so the run checkpoints and ends; a second is left to its default, ending the
/// process at once. Dispose to restore the default handling.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt, _terminate;

    /// <summary>Listens; <paramref name="message"/> is printed to stderr when a stop is asked for.</summary>
    public StopSignals(string message)
    {
        void OnSignal(PosixSignalContext context)
        {
            if (_stop.IsCancellationRequested) return;
            context.Cancel = true;
            _stop.Cancel();
            Console.Error.WriteLine($"{(context.Signal == PosixSignal.SIGTERM ? "terminated: " : "")}{message}");
        }
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}
