using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Samples — a generator's outputs G(z), the one thing this project calls a sample — drawn from a trained generator (a forward pass only, in eval mode, nothing recorded): the averaged
/// generator when the run keeps one, else G.
/// </summary>
public static class Samples
{
    /// <summary>G(z) for the given noise rows, as a heap tensor (count, sample dim).</summary>
    public static Tensor Draw(GanModels models, Tensor noise)
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
    public static Tensor Draw(GanModels models, NoisePrior prior, int count, Rng rng)
    {
        var noise = new Tensor(count, models.NoiseDim);
        prior.Fill(noise.Data, rng);
        return Draw(models, noise);
    }
}
