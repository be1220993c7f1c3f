namespace SharpGan.Tensors;

/// <summary>The independent random streams of a run, each derived from the master seed and saved by <see cref="RandomStreams"/>.</summary>
public enum RandomStream
{
    /// <summary>Weight initialisation.</summary>
    Init = 1,
    /// <summary>Minibatch order.</summary>
    Data = 2,
    /// <summary>Noise z for training.</summary>
    Noise = 3,
    /// <summary>Dropout masks.</summary>
    Dropout = 4,
    /// <summary>The fixed noise batch of the sample grids.</summary>
    SampleNoise = 5,
    /// <summary>The classes asked of G for generated examples (conditional GANs).</summary>
    Labels = 6,
    /// <summary>WGAN-GP's mixing weights between real and generated examples.</summary>
    Penalty = 7,
}
