using SharpGan.Autograd;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// One iteration of Salimans et al.'s (2016) semi-supervised game on batches the caller draws: a D update on a labelled,
/// an unlabelled and a generated batch, then a G update by feature matching (or the usual −log D(G(z))). Kept apart from
/// the trainer so a test can feed it the batches a PyTorch reference used and compare the weights update by update.
/// </summary>
public sealed class SemiSupervisedStep
{
    private readonly SemiSupervisedDiscriminator _d;
    private readonly SemiSupervisedGenerator _g;
    private readonly Optimizer _optD, _optG;
    private readonly float _unsupervisedWeight;
    private readonly bool _featureMatching;
    private readonly Tape _tape = new();

    /// <summary>The two players, their optimisers, the weight of D's unsupervised terms and G's objective.</summary>
    public SemiSupervisedStep(SemiSupervisedDiscriminator discriminator, SemiSupervisedGenerator generator, Optimizer discriminatorOptimizer,
        Optimizer generatorOptimizer, float unsupervisedWeight, bool featureMatching)
    {
        (_d, _g, _optD, _optG) = (discriminator, generator, discriminatorOptimizer, generatorOptimizer);
        (_unsupervisedWeight, _featureMatching) = (unsupervisedWeight, featureMatching);
    }

    /// <summary>
    /// D's update: labelled rows (n, pixels) with their labels, unlabelled rows (m, pixels), and G(z) for z (r, noise)
    /// drawn without a gradient. Returns D's loss before the update.
    /// </summary>
    public float Discriminator(Tensor labelled, ReadOnlySpan<byte> labels, Tensor unlabelled, Tensor z)
    {
        _optD.ZeroGrad();
        using (_tape.Begin())
        {
            Tensor fake;
            using (_tape.NoGrad()) fake = _g.Forward(z);
            // One pass of D over the three batches stacked: D has no batch statistics (weight normalisation, noise drawn
            // per value), so each row's logits are what a pass of its own batch gives, for a third of the recorded ops
            // and larger products.
            int n = labelled.Shape[0], m = unlabelled.Shape[0], r = fake.Shape[0];
            var logits = _d.Forward(Ops.Concat(0, labelled, unlabelled, fake));
            var loss = SemiSupervisedLosses.Discriminator(Ops.SliceRows(logits, 0, n), labels, Ops.SliceRows(logits, n, m),
                Ops.SliceRows(logits, n + m, r), _unsupervisedWeight);
            _tape.Backward(loss);
            _optD.Step();
            return loss.Item();
        }
    }

    /// <summary>
    /// G's update for z (r, noise): feature matching against D's features of <paramref name="unlabelled"/> (no gradient to
    /// them), or −log D(G(z)). D is held fixed. Returns G's loss before the update.
    /// </summary>
    public float Generator(Tensor unlabelled, Tensor z)
    {
        _optG.ZeroGrad();
        using (_tape.Begin())
        {
            Tensor loss;
            using (_d.Freeze())
            {
                var (fakeFeatures, fakeLogits) = _d.ForwardWithFeatures(_g.Forward(z));
                if (_featureMatching)
                {
                    Tensor realFeatures;
                    using (_tape.NoGrad()) realFeatures = _d.ForwardWithFeatures(unlabelled).Features;
                    loss = SemiSupervisedLosses.FeatureMatching(realFeatures, fakeFeatures);
                }
                else loss = Ops.Mean(Ops.Softplus(Ops.Scale(Ops.LogSumExpRows(fakeLogits), -1f))); // −log D(G(z))
            }
            _tape.Backward(loss);
            _optG.Step();
            return loss.Item();
        }
    }
}
