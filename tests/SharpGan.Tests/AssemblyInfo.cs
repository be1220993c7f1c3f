// Engine settings (thread count, GEMM backend) are process-wide; tests that change them must not race.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
