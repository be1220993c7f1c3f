using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Tensors;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>Same elements, new shape (a free view). One dimension may be −1 (inferred).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        int[] resolved = (int[])shape.Clone();
        int infer = Array.IndexOf(resolved, -1);
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < resolved.Length; i++) if (i != infer) known *= resolved[i];
            if (known <= 0 || x.Length % known != 0)
                throw new ArgumentException($"cannot reshape [{Shapes.Format(x.Shape)}] to [{Shapes.Format(shape)}]", nameof(shape));
            resolved[infer] = (int)(x.Length / known);
        }
        if (Shapes.Count(resolved) != x.Length)
            throw new ArgumentException($"cannot reshape [{Shapes.Format(x.Shape)}] ({x.Length} elements) to [{Shapes.Format(shape)}]", nameof(shape));
        var y = x.ViewAs(resolved);
        y.RequiresGrad = false;
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => AddToGradient(x, y.Grad!), Tape.SecondOrder ? (dy, sink) => sink.Add(x, Reshape(dy, x.Shape)) : null);
        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must agree.</summary>
    public static Tensor Concat(int axis, params Tensor[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("Concat needs at least one tensor", nameof(parts));
        int rank = parts[0].Shape.Length;
        if (axis < 0 || axis >= rank) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis must be in [0, {rank}) for rank-{rank} tensors");
        int[] shape = (int[])parts[0].Shape.Clone();
        shape[axis] = 0;
        foreach (var p in parts)
        {
            bool compatible = p.Shape.Length == rank;
            for (int d = 0; compatible && d < rank; d++) compatible = d == axis || p.Shape[d] == parts[0].Shape[d];
            if (!compatible)
                throw new ArgumentException($"cannot concatenate [{Shapes.Format(p.Shape)}] with [{Shapes.Format(parts[0].Shape)}] along axis {axis}", nameof(parts));
            shape[axis] += p.Shape[axis];
        }
        // Viewed as (outer, chunk): each part contributes one contiguous chunk per outer index.
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        int outChunk = shape.Length == 0 ? 1 : Shapes.Count(shape) / outer;
        var y = Tensor.Uninitialized(shape);
        int offset = 0;
        foreach (var p in parts)
        {
            int chunk = p.Length / outer;
            for (int o = 0; o < outer; o++) p.Data.AsSpan(o * chunk, chunk).CopyTo(y.Data.AsSpan(o * outChunk + offset, chunk));
            offset += chunk;
        }
        bool record = false;
        foreach (var p in parts) record |= Tape.ShouldRecord(p);
        if (!record) return y;
        bool[] wants = parts.Select(p => p.RequiresGrad).ToArray();
        Tape.Record(y, () =>
        {
            int off = 0;
            for (int n = 0; n < parts.Length; n++)
            {
                var p = parts[n];
                int chunk = p.Length / outer;
                if (wants[n])
                {
                    var dp = p.EnsureGrad();
                    for (int o = 0; o < outer; o++)
                    {
                        var dst = dp.AsSpan(o * chunk, chunk);
                        TensorPrimitives.Add(dst, y.Grad.AsSpan(o * outChunk + off, chunk), dst);
                    }
                }
                off += chunk;
            }
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            int at = 0;
            for (int n = 0; n < parts.Length; n++)
            {
                if (wants[n]) sink.Add(parts[n], Narrow(dy, axis, at, parts[n].Shape[axis]));
                at += parts[n].Shape[axis];
            }
        } : null);
        return y;
    }

    /// <summary>Rows [start, start+count) of x along its first dimension (a copy).</summary>
    public static Tensor SliceRows(Tensor x, int start, int count)
    {
        if (x.Shape.Length == 0 || start < 0 || count <= 0 || start + count > x.Shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside [0, {(x.Shape.Length == 0 ? 0 : x.Shape[0])}) of x [{Shapes.Format(x.Shape)}]");
        return Narrow(x, 0, start, count);
    }

    /// <summary>
    /// Columns [start, start+count) of a (rows, columns) x (a copy): splits what <see cref="Concat"/> joined along axis 1,
    /// e.g. an image from the one-hot label beside it.
    /// </summary>
    public static Tensor SliceColumns(Tensor x, int start, int count)
    {
        if (x.Shape.Length != 2) throw new ArgumentException($"SliceColumns takes a (rows, columns) tensor, got [{Shapes.Format(x.Shape)}]", nameof(x));
        int rows = x.Shape[0], columns = x.Shape[1];
        if (start < 0 || count <= 0 || start + count > columns)
            throw new ArgumentOutOfRangeException(nameof(start), $"columns [{start}, {start + count}) are outside [0, {columns}) of x [{Shapes.Format(x.Shape)}]");
        return Narrow(x, 1, start, count);
    }
}
