namespace SharpGan.Tensors;

/// <summary>Shape arithmetic and the argument checks every op shares.</summary>
internal static class Shapes
{
    /// <summary>Element count of a shape; every dimension must be positive.</summary>
    public static int Count(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentException($"shape [{Format(shape)}] has a non-positive dimension", nameof(shape));
            count *= d;
            if (count > int.MaxValue) throw new ArgumentException($"shape [{Format(shape)}] has more than {int.MaxValue} elements", nameof(shape));
        }
        return (int)count;
    }

    /// <summary>"2, 3, 4" for [2,3,4].</summary>
    public static string Format(ReadOnlySpan<int> shape) => string.Join(", ", shape.ToArray());

    /// <summary>Throws unless <paramref name="t"/> has rank 2.</summary>
    public static void RequireRank2(Tensor t, string paramName)
    {
        if (t.Shape.Length != 2)
            throw new ArgumentException($"{paramName} must be rank 2 (rows, cols) but has shape [{Format(t.Shape)}]", paramName);
    }

    /// <summary>Throws unless two tensors have identical shapes.</summary>
    public static void RequireSameShape(Tensor a, Tensor b, string paramName)
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape))
            throw new ArgumentException($"shapes differ: [{Format(a.Shape)}] vs [{Format(b.Shape)}]", paramName);
    }
}
