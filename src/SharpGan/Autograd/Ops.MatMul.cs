using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Autograd;

/// <summary>
/// Differentiable operations. Each op computes its forward value and, right beside it, records the
/// closure that pushes the output's gradient back to its inputs (micrograd's shape, one op per place).
/// Gradients are accumulated (+=), never overwritten, so a tensor used twice gets both contributions.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// C = op(A)·op(B). A is (m,k), or (k,m) when <paramref name="transposeA"/>; B is (k,n), or (n,k) when
    /// <paramref name="transposeB"/>; C is (m,n).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        Shapes.RequireRank2(a, nameof(a));
        Shapes.RequireRank2(b, nameof(b));
        int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0], n = transposeB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ArgumentException($"inner dimensions differ: op(a) is {m}×{k} (a [{Shapes.Format(a.Shape)}], transposed={transposeA}) but op(b) is {kb}×{n} (b [{Shapes.Format(b.Shape)}], transposed={transposeB})", nameof(b));
        var c = Tensor.Uninitialized(m, n);
        Gemm.Multiply(transposeA, transposeB, m, n, k, 1f, a.Data, a.Shape[1], b.Data, b.Shape[1], 0f, c.Data, n);
        if (!Tape.ShouldRecord(a, b)) return c;
        bool gradA = a.RequiresGrad, gradB = b.RequiresGrad; // decided at record time: freezing is a forward-time choice
        Tape.Record(c, () =>
        {
            var dc = c.Grad!;
            if (gradA)
            {
                // dA = dC·op(B)ᵀ, stored the way A is stored.
                if (!transposeA) GemmIntoGrad(a, false, !transposeB, m, k, n, dc, n, b.Data, b.Shape[1]);
                else GemmIntoGrad(a, transposeB, true, k, m, n, b.Data, b.Shape[1], dc, n);
            }
            if (gradB)
            {
                // dB = op(A)ᵀ·dC, stored the way B is stored.
                if (!transposeB) GemmIntoGrad(b, !transposeA, false, k, n, m, a.Data, a.Shape[1], dc, n);
                else GemmIntoGrad(b, true, transposeA, n, k, m, dc, n, a.Data, a.Shape[1]);
            }
        }, Tape.SecondOrder ? (dc, sink) =>
        {
            if (gradA) sink.Add(a, transposeA ? MatMul(b, dc, transposeB, true) : MatMul(dc, b, false, !transposeB));
            if (gradB) sink.Add(b, transposeB ? MatMul(dc, a, true, transposeA) : MatMul(a, dc, !transposeA, false));
        } : null);
        return c;
    }
}
