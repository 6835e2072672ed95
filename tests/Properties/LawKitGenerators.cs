using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mlp.Testing;

namespace Mlp.Tests.LawKit;

public class LawKitGenerators
{
    [Property(MaxTest = 300)]
    public Property Generated_tensors_have_bounded_grid_values_and_small_shapes() =>
        Prop.ForAll(TensorGen.Arbitrary(3, 5, Domain.Any), t =>
            t.Rank <= 3 && t.Shape.All(d => d is >= 1 and <= 5)
            && t.ToArray().All(v => v is >= -2f and <= 2f && v * 4 == MathF.Round(v * 4)));

    [Property(MaxTest = 300)]
    public Property NonZero_and_Positive_domains_keep_their_promise() =>
        Prop.ForAll(TensorGen.Any(2, 4, Domain.NonZero).ToArbitrary(), TensorGen.Any(2, 4, Domain.Positive).ToArbitrary(),
            (nz, pos) => nz.ToArray().All(v => v != 0f) && pos.ToArray().All(v => v is > 0f and <= 2f));

    [Fact]
    public void Shrinking_a_tensor_ends_at_the_smallest_failing_one()
    {
        // "no tensor has an entry ≥ 1" is false; the minimal counterexample is the scalar 1.
        var e = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(500),
            Prop.ForAll(TensorGen.Arbitrary(2, 4, Domain.Any), t => t.ToArray().All(v => v < 1f))));
        string last = e.Message.ReplaceLineEndings("\n").Split('\n').Last(l => l.StartsWith("tensor(", StringComparison.Ordinal));
        Assert.Equal("tensor(1.0000)", last);   // the shrunk case (or the first, when nothing shrank)
    }

    [Fact]
    public void Labels_cannot_be_generated_without_a_layer_spec()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorGen.OfShape([3], Domain.Labels('c')));
        Assert.Contains("labels(c) needs the size of its class letter", e.Message);
    }
}
