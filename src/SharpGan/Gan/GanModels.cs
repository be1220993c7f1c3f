using SharpGan.Nn;

namespace SharpGan.Gan;

/// <summary>A generator and discriminator built from a config, and the shape of the samples G makes.</summary>
public sealed record GanModels(Module Generator, Module Discriminator, int NoiseDim, int SampleHeight, int SampleWidth, int SampleChannels)
{
    /// <summary>Values per sample.</summary>
    public int SampleDim => SampleHeight * SampleWidth * SampleChannels;

    /// <summary>Classes K of a conditional GAN (G reads z and a one-hot label, D an image and one); 0 when unconditional.</summary>
    public int Classes { get; init; }

    /// <summary>Width of G's input: the noise, and the one-hot label when conditional.</summary>
    public int GeneratorInputDim => NoiseDim + Classes;

    /// <summary>A second generator holding the moving average of G's weights (training.generator_ema > 0); else null.</summary>
    public Module? AveragedGenerator { get; init; }

    /// <summary>The generator samples come from: the averaged one when the run keeps an average, else G itself.</summary>
    public Module SamplingGenerator => AveragedGenerator ?? Generator;
}
