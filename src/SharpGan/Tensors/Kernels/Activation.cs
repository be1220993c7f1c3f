namespace SharpGan.Tensors.Kernels;

/// <summary>Pointwise nonlinearities that layers fuse into their forward and backward passes.</summary>
public enum Activation
{
    /// <summary>f(x) = x.</summary>
    Identity,
    /// <summary>f(x) = max(x, 0).</summary>
    ReLU,
    /// <summary>f(x) = x for x &gt; 0, slope·x otherwise.</summary>
    LeakyReLU,
    /// <summary>f(x) = 1 / (1 + e^−x).</summary>
    Sigmoid,
    /// <summary>f(x) = tanh x.</summary>
    Tanh,
    /// <summary>f(x) = log(1 + eˣ) (Salimans et al.'s semi-supervised generator).</summary>
    Softplus,
}
