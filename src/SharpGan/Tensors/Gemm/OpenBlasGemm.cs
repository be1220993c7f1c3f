using System.Runtime.InteropServices;

namespace SharpGan.Tensors.Gemm;

/// <summary>
/// OpenBLAS's cblas_sgemm through P/Invoke, loaded at run time so SharpGAN still works where the
/// library is absent (<see cref="TryCreate"/> returns null and the managed kernel is used).
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemmBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    // Debian's libopenblas0-pthread installs libopenblas.so.0; other distributions ship libopenblas.so.
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.dylib", "libopenblas.dll",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;
    private int _threads = -1;

    private OpenBlasGemm(nint library)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(library, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out nint st)
            ? (delegate* unmanaged<int, void>)st : null;
    }

    /// <summary>Loads OpenBLAS, or returns null when it cannot be found.</summary>
    public static OpenBlasGemm? TryCreate()
    {
        foreach (string name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, out nint handle) && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
                return new OpenBlasGemm(handle);
        }
        return null;
    }

    /// <inheritdoc />
    public string Name => "openblas";

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        SyncThreads();
        fixed (float* pa = a, pb = b, pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    private void SyncThreads()
    {
        int wanted = Engine.Threads;
        if (wanted == _threads || _setThreads == null) return;
        _setThreads(wanted);
        _threads = wanted;
    }
}
