using System.Runtime.InteropServices;

namespace SharpGan.Distributed;

/// <summary>
/// The few MPI C functions data-parallel training needs, bound at run time to whichever MPI the job was launched with.
/// The two ABI families differ in what a handle is: Open MPI's MPI_COMM_WORLD, MPI_FLOAT and MPI_SUM are addresses of
/// global objects exported by libmpi (<c>&amp;ompi_mpi_comm_world</c>, …), while MPICH and its ABI relatives (Intel
/// MPI, MVAPICH, Cray MPICH) use 32-bit integer constants fixed by the ABI (MPI_COMM_WORLD = 0x44000000, …). The family
/// is told apart by whether the library exports <c>ompi_mpi_comm_world</c>; each function is then called through a
/// function pointer whose handle parameters have the family's width. Nothing else of MPI is used.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    // MPICH ABI (mpi.h of MPICH 3/4): the handle values and MPI_IN_PLACE.
    private const int MpichCommWorld = 0x44000000, MpichFloat = 0x4c00040a, MpichDouble = 0x4c00080b, MpichInt = 0x4c000405, MpichByte = 0x4c00010d;
    private const int MpichSum = 0x58000003, MpichMax = 0x58000001;
    private const int ThreadFunneled = 1; // MPI_THREAD_FUNNELED in both families: only the thread that initialised calls MPI

    private readonly nint _library;
    private readonly bool _pointerHandles; // Open MPI
    private readonly nint _commWorld, _float, _double, _int, _byte, _sum, _max, _inPlace;
    private readonly nint _initThread, _initialized, _finalized, _finalize, _commRank, _commSize, _allreduce, _bcast, _abort, _barrier, _libraryVersion;

    /// <summary>The library file that was loaded.</summary>
    public string Path { get; }

    /// <summary>"Open MPI" or "MPICH ABI".</summary>
    public string Family => _pointerHandles ? "Open MPI" : "MPICH ABI";

    private MpiLibrary(nint library, string path)
    {
        (_library, Path) = (library, path);
        _pointerHandles = NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out _commWorld);
        if (_pointerHandles)
        {
            _float = Export("ompi_mpi_float");
            _double = Export("ompi_mpi_double");
            _int = Export("ompi_mpi_int");
            _byte = Export("ompi_mpi_byte");
            _sum = Export("ompi_mpi_op_sum");
            _max = Export("ompi_mpi_op_max");
            _inPlace = 1; // Open MPI's MPI_IN_PLACE is ((void *) 1)
        }
        else
        {
            (_commWorld, _float, _double, _int, _byte, _sum, _max) = (MpichCommWorld, MpichFloat, MpichDouble, MpichInt, MpichByte, MpichSum, MpichMax);
            _inPlace = -1; // MPICH's MPI_IN_PLACE is ((void *) -1)
        }
        _initThread = Export("MPI_Init_thread");
        _initialized = Export("MPI_Initialized");
        _finalized = Export("MPI_Finalized");
        _finalize = Export("MPI_Finalize");
        _commRank = Export("MPI_Comm_rank");
        _commSize = Export("MPI_Comm_size");
        _allreduce = Export("MPI_Allreduce");
        _bcast = Export("MPI_Bcast");
        _abort = Export("MPI_Abort");
        _barrier = Export("MPI_Barrier");
        _libraryVersion = Export("MPI_Get_library_version");
    }

    private nint Export(string name) => NativeLibrary.TryGetExport(_library, name, out nint address)
        ? address
        : throw new MpiException($"{Path} does not export {name}: not an MPI library of a known ABI (Open MPI, or MPICH and its ABI relatives)");

    /// <summary>
    /// Loads the first of <paramref name="candidates"/> that opens (file names or paths). Throws <see cref="MpiException"/>
    /// naming every candidate and the loader's reason when none does.
    /// </summary>
    public static MpiLibrary Load(IReadOnlyList<string> candidates)
    {
        var reasons = new List<string>();
        foreach (string name in candidates)
        {
            try
            {
                return new MpiLibrary(NativeLibrary.Load(name), name);
            }
            catch (DllNotFoundException e)
            {
                reasons.Add($"{name}: {FirstLine(e.Message)}");
            }
            catch (BadImageFormatException e)
            {
                reasons.Add($"{name}: {FirstLine(e.Message)}");
            }
        }
        throw new MpiException($"no MPI library could be loaded ({string.Join("; ", reasons)}); install your MPI's runtime (Debian: libopenmpi3 or libmpich12) or set SHARPGAN_MPI_LIBRARY to its libmpi");
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>MPI_Init_thread(FUNNELED) unless MPI is already initialised.</summary>
    public void Initialize()
    {
        int flag;
        Check(((delegate* unmanaged<int*, int>)_initialized)(&flag), "MPI_Initialized");
        if (flag != 0) return;
        int provided;
        Check(((delegate* unmanaged<int*, byte***, int, int*, int>)_initThread)(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
    }

    /// <summary>MPI_Finalize unless already finalised.</summary>
    public void FinalizeMpi()
    {
        int flag;
        Check(((delegate* unmanaged<int*, int>)_finalized)(&flag), "MPI_Finalized");
        if (flag == 0) Check(((delegate* unmanaged<int>)_finalize)(), "MPI_Finalize");
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank() => QueryWorld(_commRank, "MPI_Comm_rank");

    /// <summary>The number of processes in MPI_COMM_WORLD.</summary>
    public int Size() => QueryWorld(_commSize, "MPI_Comm_size");

    // int MPI_Comm_rank / MPI_Comm_size (MPI_Comm comm, int *result) on MPI_COMM_WORLD.
    private int QueryWorld(nint function, string name)
    {
        int result;
        Check(_pointerHandles
            ? ((delegate* unmanaged<nint, int*, int>)function)(_commWorld, &result)
            : ((delegate* unmanaged<int, int*, int>)function)((int)_commWorld, &result), name);
        return result;
    }

    /// <summary>In-place MPI_Allreduce(MPI_SUM) of floats over MPI_COMM_WORLD.</summary>
    public void SumInPlace(Span<float> values)
    {
        fixed (float* p = values) Allreduce(p, values.Length, _float, _sum);
    }

    /// <summary>In-place MPI_Allreduce(MPI_SUM) of doubles.</summary>
    public void SumInPlace(Span<double> values)
    {
        fixed (double* p = values) Allreduce(p, values.Length, _double, _sum);
    }

    /// <summary>In-place MPI_Allreduce(MPI_MAX) of ints.</summary>
    public void MaxInPlace(Span<int> values)
    {
        fixed (int* p = values) Allreduce(p, values.Length, _int, _max);
    }

    private void Allreduce(void* buffer, int count, nint type, nint op)
    {
        if (count == 0) return;
        Check(_pointerHandles
            ? ((delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)_allreduce)((void*)_inPlace, buffer, count, type, op, _commWorld)
            : ((delegate* unmanaged<void*, void*, int, int, int, int, int>)_allreduce)((void*)_inPlace, buffer, count, (int)type, (int)op, (int)_commWorld), "MPI_Allreduce");
    }

    /// <summary>MPI_Bcast of bytes from <paramref name="root"/>.</summary>
    public void Broadcast(Span<byte> bytes, int root)
    {
        if (bytes.Length == 0) return;
        fixed (byte* p = bytes)
            Check(_pointerHandles
                ? ((delegate* unmanaged<void*, int, nint, int, nint, int>)_bcast)(p, bytes.Length, _byte, root, _commWorld)
                : ((delegate* unmanaged<void*, int, int, int, int, int>)_bcast)(p, bytes.Length, (int)_byte, root, (int)_commWorld), "MPI_Bcast");
    }

    /// <summary>MPI_Barrier over MPI_COMM_WORLD.</summary>
    public void Barrier() => Check(_pointerHandles
        ? ((delegate* unmanaged<nint, int>)_barrier)(_commWorld)
        : ((delegate* unmanaged<int, int>)_barrier)((int)_commWorld), "MPI_Barrier");

    /// <summary>MPI_Abort: ends every process of the job with <paramref name="code"/>.</summary>
    public void Abort(int code)
    {
        if (_pointerHandles) ((delegate* unmanaged<nint, int, int>)_abort)(_commWorld, code);
        else ((delegate* unmanaged<int, int, int>)_abort)((int)_commWorld, code);
    }

    /// <summary>MPI_Get_library_version, shortened to its name and version ("Open MPI v4.1.4", "MPICH Version: 4.0.2").</summary>
    public string LibraryVersion()
    {
        const int MaxLength = 8192; // MPI_MAX_LIBRARY_VERSION_STRING is 256 in MPICH and 256 in Open MPI; room to spare
        byte* text = stackalloc byte[MaxLength];
        int length;
        Check(((delegate* unmanaged<byte*, int*, int>)_libraryVersion)(text, &length), "MPI_Get_library_version");
        string line = FirstLine(System.Text.Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MaxLength)).TrimEnd('\0'));
        return string.Join(' ', line.Split(',')[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }

    private static void Check(int code, string function)
    {
        if (code != 0) throw new MpiException($"{function} failed with MPI error code {code}");
    }
}

/// <summary>MPI could not be loaded, started or used; the message is one line for the user.</summary>
public sealed class MpiException(string message) : Exception(message);
