namespace SharpGan.Bench;

/// <summary>Command-line options of the benchmark runner.</summary>
internal sealed record BenchOptions(string Mode, string? Model, int Threads, string Backend, int Iterations)
{
    public static BenchOptions? Parse(string[] args)
    {
        if (args.Length == 0) return null;
        string mode = args[0];
        string? model = null;
        int i = 1;
        if (mode == "gan-step")
        {
            if (args.Length < 2) return null;
            model = args[1];
            i = 2;
        }
        else if (mode is not ("gemm" or "ops" or "parzen" or "peak" or "kernel")) return null;
        int threads = Environment.ProcessorCount, iters = 30;
        string backend = Environment.GetEnvironmentVariable("SHARPGAN_GEMM") ?? "auto";
        for (; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[i + 1]); break;
                case "--backend": backend = args[i + 1]; break;
                case "--iters": iters = int.Parse(args[i + 1]); break;
                default: return null;
            }
        }
        return new BenchOptions(mode, model, threads, backend, iters);
    }
}
