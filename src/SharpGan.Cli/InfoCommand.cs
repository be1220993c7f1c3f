using System.CommandLine;
using System.Runtime.Intrinsics;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Cli;

/// <summary>`sharpgan info`: what the engine will run on.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the engine's configuration: GEMM backend, threads, SIMD width, OpenBLAS availability.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"sharpgan {typeof(Engine).Assembly.GetName().Version?.ToString(3)}  (.NET {Environment.Version})");
            Console.WriteLine($"gemm backend:  {Gemm.Backend.Name}  (SHARPGAN_GEMM=managed|openblas|auto)");
            Console.WriteLine($"openblas:      {(Gemm.OpenBlasOrNull is null ? "not found" : "available")}");
            Console.WriteLine($"threads:       {Engine.Threads}  (SHARPGAN_THREADS, default = cores = {Environment.ProcessorCount})");
            Console.WriteLine($"simd:          {(Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512)" : Vector256.IsHardwareAccelerated ? "Vector256 (AVX2)" : "scalar")}");
            return 0;
        });
        return command;
    }
}
