using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// Spectral normalisation (Miyato et al. 2018): a layer's weight W, viewed as (out, in·…), is used as W / σ(W), σ its
/// largest singular value, so each layer is at most 1-Lipschitz. σ is estimated as uᵀ·W·v from vectors u (out) and
/// v (in·…) that one power iteration refines on every training-mode forward pass (v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖), as
/// PyTorch's <c>spectral_norm</c> does; eval mode uses them as they are. u and v are the layer's buffers
/// <c>weight_u</c> and <c>weight_v</c>, so checkpoints carry them and a resumed run continues the same iteration.
/// The gradient flows through σ with u and v held constant (∂σ/∂W = u·vᵀ), again as in the paper and PyTorch.
/// </summary>
public sealed class SpectralNorm
{
    private const float Eps = 1e-12f; // PyTorch's guard in the normalisations

    /// <summary>Left singular vector estimate (out).</summary>
    public Tensor U { get; }

    /// <summary>Right singular vector estimate (in·…).</summary>
    public Tensor V { get; }

    /// <summary>Wraps the two buffers, filling them with normalised N(0, 1) draws from <paramref name="rng"/>.</summary>
    public SpectralNorm(Tensor u, Tensor v, Rng rng)
    {
        (U, V) = (u, v);
        rng.FillGaussian(u.Data);
        rng.FillGaussian(v.Data);
        Normalize(u.Data);
        Normalize(v.Data);
    }

    /// <summary>W / σ(W) as an op on <paramref name="weight"/>; with <paramref name="training"/>, one power iteration first.</summary>
    public Tensor Apply(Tensor weight, bool training)
    {
        int rows = U.Length, columns = V.Length;
        if (weight.Length != rows * columns)
            throw new ArgumentException($"weight [{Shapes.Format(weight.Shape)}] is not ({rows}, {columns}) as this normalisation's vectors are", nameof(weight));
        float[] w = weight.Data, u = U.Data, v = V.Data;
        if (training)
        {
            // (out, in) = W (rows, columns), row-major: v = Wᵀu, then u = Wv, each normalised. Accumulated in double so the
            // estimate does not depend on summation order (it is part of the saved state).
            for (int j = 0; j < columns; j++)
            {
                double s = 0;
                for (int i = 0; i < rows; i++) s += (double)w[i * columns + j] * u[i];
                v[j] = (float)s;
            }
            Normalize(v);
            for (int i = 0; i < rows; i++)
            {
                double s = 0;
                for (int j = 0; j < columns; j++) s += (double)w[i * columns + j] * v[j];
                u[i] = (float)s;
            }
            Normalize(u);
        }
        // σ = uᵀ·W·v as ops, so W's gradient includes σ's dependence on W (u·vᵀ, differentiable again) without a W-sized
        // tensor. u and v are copied: a later training-mode pass moves the buffers before this one's backward runs
        // (WGAN-GP passes D three times, then differentiates).
        var uRow = Tensor.FromArray((float[])u.Clone(), 1, rows);
        var vColumn = Tensor.FromArray((float[])v.Clone(), columns, 1);
        var sigma = Ops.MatMul(Ops.MatMul(uRow, Ops.Reshape(weight, rows, columns)), vColumn); // (1, 1)
        return Ops.ScaleBy(weight, Ops.ReciprocalOrZero(sigma));
    }

    private static void Normalize(float[] x)
    {
        double norm = Math.Sqrt(x.Sum(e => (double)e * e));
        float scale = (float)(1 / Math.Max(norm, Eps));
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
    }
}
