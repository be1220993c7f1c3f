namespace SharpGan.Distributed;

/// <summary>
/// The processes that train one model together: this process alone (<see cref="Single"/>, what `sharpgan train` is
/// without a launcher), or the ranks of an MPI job started by <c>mpirun -np N</c> (<see cref="FromEnvironment"/>).
/// Collective calls must be made by every rank in the same order.
/// </summary>
public abstract class ProcessGroup : IDisposable
{
    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of processes.</summary>
    public abstract int Size { get; }

    /// <summary>Rank 0: the one process that writes the run's files.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>What this group is, for a log line ("1 process", "2 processes over Open MPI v4.1.4 (libmpi.so.40)").</summary>
    public abstract string Description { get; }

    /// <summary>Replaces every rank's <paramref name="values"/> with their element-wise sum over the ranks.</summary>
    public abstract void SumInPlace(Span<float> values);

    /// <summary>Replaces every rank's <paramref name="values"/> with their element-wise sum over the ranks.</summary>
    public abstract void SumInPlace(Span<double> values);

    /// <summary>The largest of every rank's <paramref name="value"/> (a stop request seen by any rank stops them all).</summary>
    public abstract int Max(int value);

    /// <summary>Ends the whole job (every rank) with <paramref name="code"/>; a single process just exits.</summary>
    public abstract void Abort(int code);

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>This process alone: every collective is the identity.</summary>
    public static ProcessGroup Single { get; } = new SingleProcess();

    /// <summary>
    /// The launcher's process count when this process was started by one (mpirun/mpiexec of Open MPI or of the MPICH
    /// family, or srun), else null. Read from the variables launchers set: OMPI_COMM_WORLD_SIZE (Open MPI), PMI_SIZE
    /// (MPICH's Hydra, Intel MPI, MVAPICH, Slurm PMI-2), MV2_COMM_WORLD_SIZE (MVAPICH).
    /// </summary>
    public static int? LaunchedSize()
    {
        foreach (string name in new[] { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE" })
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out int size) && size > 0) return size;
        return null;
    }

    /// <summary>
    /// How many processes of the job run on this machine, as the launcher says (OMPI_COMM_WORLD_LOCAL_SIZE of Open MPI,
    /// MPI_LOCALNRANKS of MPICH's Hydra), or null: the cores are shared among them.
    /// </summary>
    public static int? LocalProcesses()
    {
        foreach (string name in new[] { "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS" })
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out int n) && n > 0) return n;
        return null;
    }

    /// <summary>
    /// The group this process belongs to: <see cref="Single"/> unless a launcher started more than one process, in
    /// which case MPI is loaded and initialised. Throws <see cref="MpiException"/> (one line) when MPI cannot be loaded.
    /// </summary>
    public static ProcessGroup FromEnvironment() => LaunchedSize() is > 1 ? new MpiProcessGroup() : Single;

    private sealed class SingleProcess : ProcessGroup
    {
        public override int Rank => 0;
        public override int Size => 1;
        public override string Description => "1 process";
        public override void SumInPlace(Span<float> values) { }
        public override void SumInPlace(Span<double> values) { }
        public override int Max(int value) => value;
        public override void Abort(int code) => Environment.Exit(code);
        public override void Dispose() { } // the shared instance outlives any one use
    }
}

/// <summary>The ranks of an MPI job (MPI_COMM_WORLD), through <see cref="MpiLibrary"/>.</summary>
internal sealed class MpiProcessGroup : ProcessGroup
{
    private readonly MpiLibrary _mpi;
    private bool _disposed;

    public MpiProcessGroup()
    {
        _mpi = MpiLibrary.Load(Candidates());
        _mpi.Initialize();
        (Rank, Size) = (_mpi.Rank(), _mpi.Size());
        if (LaunchedSize() is { } launched && launched != Size)
            throw new MpiException($"the launcher started {launched} processes but {_mpi.Path} sees {Size}: the job was started by a different MPI than the one loaded; set SHARPGAN_MPI_LIBRARY to the libmpi of the mpirun you use");
        Description = $"{Size} processes over {_mpi.LibraryVersion()} ({_mpi.Path}, {_mpi.Family})";
    }

    // SHARPGAN_MPI_LIBRARY alone when set (the user's choice is not second-guessed); else the library of the launcher's
    // family: Open MPI sets OMPI_* variables, the MPICH family (MPICH, Intel MPI, MVAPICH, Cray MPICH) does not.
    private static List<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("SHARPGAN_MPI_LIBRARY") is { Length: > 0 } chosen) return [chosen];
        return Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null
            ? ["libmpi.so.40", "libmpi.so"]
            : ["libmpich.so.12", "libmpi.so.12", "libmpi.so"];
    }

    public override int Rank { get; }
    public override int Size { get; }
    public override string Description { get; }
    public override void SumInPlace(Span<float> values) => _mpi.SumInPlace(values);
    public override void SumInPlace(Span<double> values) => _mpi.SumInPlace(values);

    public override int Max(int value)
    {
        Span<int> v = [value];
        _mpi.MaxInPlace(v);
        return v[0];
    }

    public override void Abort(int code) => _mpi.Abort(code);

    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _mpi.FinalizeMpi();
    }
}
