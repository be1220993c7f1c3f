using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Drawing samples from a trained generator (a forward pass only, in eval mode, nothing recorded): the averaged
/// generator when the run keeps one, else G.
/// </summary>
public static class Sampling
{
    /// <summary>G(z) for the given noise rows, as a heap tensor (count, sample dim).</summary>
    public static Tensor Generate(GanModels models, Tensor noise)
    {
        var generator = models.SamplingGenerator;
        bool wasTraining = generator.IsTraining;
        generator.Eval();
        try
        {
            if (Tape.Current is not null) throw new InvalidOperationException("sample outside any tape: samples must outlive the step");
            return generator.Forward(noise);
        }
        finally
        {
            generator.Train(wasTraining);
        }
    }

    /// <summary>Draws <paramref name="count"/> samples with fresh noise from <paramref name="rng"/>.</summary>
    public static Tensor Generate(GanModels models, NoisePrior prior, int count, Rng rng)
    {
        var noise = new Tensor(count, models.NoiseDim);
        NoiseSampler.Fill(prior, noise.Data, rng);
        return Generate(models, noise);
    }
}
