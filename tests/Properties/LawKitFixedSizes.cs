using Mlp.Models;
using Mlp.Testing;

namespace Mlp.Tests.LawKit;

/// <summary>A layer built for fixed sizes (here a model's Linear(3, 8)) is described with digits in its shapes.</summary>
public class LawKitFixedSizes
{
    private static Vjp<Tensor[]> FixedLinear(Tensor[] a)
    {
        var model = Model.Sequential(Layer.Linear(3, 8));
        var p = Parameters.From([new("0.weight", a[1]), new("0.bias", a[2])]);
        var tape = new Tape();
        var x = tape.Input(a[0]);
        var y = model.Record(tape, x, p);
        return new Vjp<Gradients>(y.Value, dy => tape.Backward(y, dy)).MapBackward(g => new[] { g[x], g["0.weight"], g["0.bias"] });
    }

    [Fact]
    public void A_layer_with_fixed_parameter_sizes_passes_when_the_sizes_are_written_as_digits()
    {
        var spec = LayerSpec.Create("Linear(3, 8) in a model",
            [ArgSpec.Input("x", "n,3"), ArgSpec.Input("0.weight", "3,8"), ArgSpec.Input("0.bias", "8")], "n,8", FixedLinear).RowWise('n');
        VjpLaws.Verify(spec);
    }

    [Fact]
    public void Letters_for_fixed_sizes_fail_with_advice_to_write_the_sizes_as_digits()
    {
        var spec = LayerSpec.Create("Linear(3, 8) described with letters",
            [ArgSpec.Input("x", "n,i"), ArgSpec.Input("0.weight", "i,h"), ArgSpec.Input("0.bias", "h")], "n,h", FixedLinear);
        var e = Assert.Throws<VjpLawException>(() => VjpLaws.Verify(spec));
        Assert.True(e.Message.Contains("write them as numbers"), e.Message);
        Assert.Contains("[Throws] forward threw ArgumentException", e.Message);
        Assert.Contains("write them as numbers in the shapes instead of letters, e.g. \"n,32\"", e.Message);
    }
}
