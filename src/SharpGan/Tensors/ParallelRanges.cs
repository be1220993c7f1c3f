namespace SharpGan.Tensors;

/// <summary>
/// Cuts an elementwise or row-wise pass into pieces for <see cref="WorkerPool"/>, so the passes between products
/// (bias, activation, maxout, applying dropout's mask) use every thread too. Pieces are whole multiples of 16 Ki elements (or of
/// whole rows) and the last one takes the remainder, so every vector a kernel forms is one it would form in a single
/// pass: the result is the same bit for bit at any thread count. Passes under 64 Ki elements run on the caller alone.
/// </summary>
internal static unsafe class ParallelRanges
{
    private const int Grain = 16 * 1024;
    private const int PiecesWorthSplitting = 4;

    /// <summary>Runs body(start, end, state) over [0, length) in pieces of elements.</summary>
    public static void Elements(int length, delegate*<int, int, nint, void> body, nint state) =>
        Run(length / Grain, Grain, length, body, state);

    /// <summary>
    /// As <c>Elements</c>, in pieces of 2 Ki elements (still whole
    /// vectors), for passes that cost tens of cycles an element (a scalar log and exp): worth both threads from 8 Ki.
    /// </summary>
    public static void CostlyElements(int length, delegate*<int, int, nint, void> body, nint state) =>
        Run(length / CostlyGrain, CostlyGrain, length, body, state);

    private const int CostlyGrain = 2 * 1024;

    /// <summary>Runs body(firstRow, endRow, state) over [0, rows) in pieces of whole rows of rowLength elements.</summary>
    public static void Rows(int rows, int rowLength, delegate*<int, int, nint, void> body, nint state)
    {
        int rowsPerPiece = Math.Max(1, Grain / Math.Max(1, rowLength));
        Run(rows / rowsPerPiece, rowsPerPiece, rows, body, state);
    }

    private static void Run(int pieces, int perPiece, int end, delegate*<int, int, nint, void> body, nint state)
    {
        if (Engine.Threads == 1 || pieces < PiecesWorthSplitting)
        {
            body(0, end, state);
            return;
        }
        var call = new Call { Body = body, State = state, PerPiece = perPiece, Pieces = pieces, End = end };
        WorkerPool.For(pieces, &RunPiece, (nint)(&call));
    }

    private struct Call
    {
        public delegate*<int, int, nint, void> Body;
        public nint State;
        public int PerPiece, Pieces, End;
    }

    private static void RunPiece(int i, nint state)
    {
        var call = (Call*)state;
        int start = i * call->PerPiece;
        call->Body(start, i == call->Pieces - 1 ? call->End : start + call->PerPiece, call->State);
    }
}
