using SharpGan;
using SharpGan.Bench;
using SharpGan.Tensors.Gemm;

// Usage: dotnet run -c Release --project bench/SharpGan.Bench -- <gemm | gan-step paper-mlp> [--threads N] [--backend managed|openblas] [--iters N]
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: SharpGan.Bench gemm | gan-step paper-mlp | ops | parzen | peak | kernel  [--threads N] [--backend managed|openblas|auto] [--iters N]");
    return 2;
}
Engine.Threads = options.Threads;
Gemm.Backend = Gemm.FromName(options.Backend);
Console.WriteLine($"threads={Engine.Threads} backend={Gemm.Backend.Name} vector512={ManagedGemm.Uses512} cpu={Environment.ProcessorCount}");
return options.Mode switch
{
    "gemm" => GemmBench.Run(options),
    "gan-step" => GanStepBench.Run(options),
    "ops" => OpsBench.Run(options),
    "parzen" => ParzenBench.Run(options),
    "peak" => PeakBench.Run(options),
    "kernel" => KernelBench.Run(options),
    _ => 2,
};
