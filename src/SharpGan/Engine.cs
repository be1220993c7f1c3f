namespace SharpGan;

/// <summary>Process-wide engine settings: one knob for threads, as DESIGN.md asks.</summary>
public static class Engine
{
    private static int _threads = DefaultThreads();

    /// <summary>Threads used by GEMM and parallel kernels. Default: SHARPGAN_THREADS or the core count.</summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _threads = value;
        }
    }

    private static int DefaultThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("SHARPGAN_THREADS"), out int t) && t > 0 ? t : Environment.ProcessorCount;
}
