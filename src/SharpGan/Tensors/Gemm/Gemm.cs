namespace SharpGan.Tensors.Gemm;

/// <summary>
/// The one entry point for matrix multiplication. Chooses a backend once: SHARPGAN_GEMM=managed|openblas
/// forces one; "auto" (the default) is the managed kernel, which measured faster than OpenBLAS on the
/// paper MLP's training iteration on the reference 2-core machine (README, Performance) and needs no
/// native library.
/// </summary>
public static class Gemm
{
    private static IGemmBackend? _backend;
    private static readonly Lazy<OpenBlasGemm?> OpenBlas = new(OpenBlasGemm.TryCreate);

    /// <summary>The managed kernel (always available).</summary>
    public static ManagedGemm Managed { get; } = new();

    /// <summary>OpenBLAS, or null when the library cannot be loaded.</summary>
    public static OpenBlasGemm? OpenBlasOrNull => OpenBlas.Value;

    /// <summary>The backend every op uses. Settable (tests and benchmarks switch it).</summary>
    public static IGemmBackend Backend
    {
        get => _backend ??= ChooseDefault();
        set => _backend = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Looks up a backend by name: "managed", "openblas" or "auto".</summary>
    public static IGemmBackend FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "managed" => Managed,
        "openblas" => OpenBlasOrNull ?? throw new InvalidOperationException("OpenBLAS was requested but libopenblas could not be loaded (Debian: apt-get install libopenblas0-pthread)"),
        "auto" or "" => Managed,
        _ => throw new ArgumentException($"unknown GEMM backend '{name}': use managed, openblas or auto", nameof(name)),
    };

    private static IGemmBackend ChooseDefault() =>
        FromName(Environment.GetEnvironmentVariable("SHARPGAN_GEMM") ?? "auto");

    /// <summary>C = alpha·op(A)·op(B) + beta·C with the current backend, after checking every argument.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        Backend.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>C = op(A)·op(B) + bias on every row (bias of n values): a linear layer's forward, on the chosen backend.</summary>
    public static void MultiplyBias(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (bias.Length != n) throw new ArgumentException($"bias holds {bias.Length} values for {n} columns", nameof(bias));
        if (m == 0 || n == 0) return;
        Backend.SgemmBias(transA, transB, m, n, k, a, lda, b, ldb, bias, c, ldc);
    }

    /// <summary>
    /// Packs op(B) (k×n) once for many products <see cref="MultiplyPacked"/>
    /// with it. Packed products always run on the managed kernel, whatever <see cref="Backend"/> is.
    /// </summary>
    public static PackedRight PackRight(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckMatrix("b", transB ? n : k, transB ? k : n, ldb, b.Length);
        return Managed.PackRight(transB, k, n, b, ldb);
    }

    /// <summary>C = alpha·op(A)·B + beta·C with B packed by <see cref="PackRight"/>; the same result as the unpacked product.</summary>
    public static void MultiplyPacked(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedRight b, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        CheckMatrix("a", transA ? b.Rows : m, transA ? m : b.Rows, lda, a.Length);
        CheckMatrix("c", m, b.Columns, ldc, c.Length);
        Managed.Sgemm(transA, m, alpha, a, lda, b, beta, c, ldc);
    }

    /// <summary>Checks dimensions and that each buffer is long enough for its leading dimension.</summary>
    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckMatrix("a", aRows, aCols, lda, aLength);
        CheckMatrix("b", bRows, bCols, ldb, bLength);
        CheckMatrix("c", m, n, ldc, cLength);
    }

    private static void CheckMatrix(string name, int rows, int cols, int ld, int length)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"leading dimension {ld} of {name} is smaller than its {cols} columns", "ld" + name);
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"{name} holds {length} elements but a {rows}×{cols} matrix with leading dimension {ld} needs {needed}", name);
    }
}
