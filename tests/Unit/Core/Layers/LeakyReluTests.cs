using Mlp.Models;
using Mlp.Tests.Pipeline;

namespace Mlp.Tests.Core;

/// <summary>LeakyReLU (src/Core/Layers/LeakyRelu.cs) against PyTorch's float64 <c>F.leaky_relu</c> (tools/torch_leaky_relu.py).</summary>
public class LeakyReluTests
{
    [Fact]
    public void Forward_and_gradient_match_pytorch_in_float64_including_the_kink_at_zero()
    {
        int cases = 0;
        foreach (var c in PipelineFixtures.Json("leaky_relu.json").GetProperty("cases").EnumerateArray())
        {
            int[] shape = PipelineFixtures.Ints(c.GetProperty("shape"));
            float slope = (float)c.GetProperty("slope").GetDouble();
            var x = Tensor.FromArray(PipelineFixtures.Floats(c.GetProperty("x")), shape);
            var dy = Tensor.FromArray(PipelineFixtures.Floats(c.GetProperty("dy")), shape);
            double[] y = PipelineFixtures.Doubles(c.GetProperty("y")), dx = PipelineFixtures.Doubles(c.GetProperty("dx"));
            var (ours, back) = LeakyRelu.Forward(x, slope);
            var g = back(dy);
            for (int i = 0; i < y.Length; i++)
            {
                // One float32 rounding of slope·x (PyTorch's slope is the double, ours the float): relative 2⁻²³.
                Assert.Equal(y[i], ours.AsSpan()[i], Math.Abs(y[i]) * 2.4e-7 + 1e-30);
                Assert.Equal(dx[i], g.AsSpan()[i], Math.Abs(dx[i]) * 2.4e-7 + 1e-30);
            }
            Assert.Equal(0f, x.AsSpan()[0]);                                      // the fixture puts an exact 0 first …
            Assert.Equal(slope * dy.AsSpan()[0], g.AsSpan()[0]);                 // … where the gradient is slope·dy, as PyTorch's
            cases++;
        }
        Assert.Equal(3, cases);
    }

    [Fact]
    public void A_non_finite_slope_is_rejected_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => LeakyRelu.Forward(Tensor.Zeros(2), float.NaN));
        Assert.Contains("NaN", e.Message);
        Assert.Throws<FormatException>(() => Layer.Parse("LeakyReLU(Infinity)"));
    }

    [Fact]
    public void The_layer_prints_parses_back_and_trains_like_any_built_in()
    {
        var layer = Layer.LeakyRelu(0.05f);
        Assert.Equal("LeakyReLU(0.05)", layer.Name);
        Assert.Equal(layer.Name, Layer.Parse(layer.Name).Name);
        Assert.Equal("LeakyReLU(0.01)", Layer.LeakyRelu().Name);               // PyTorch's default slope
        var model = Model.Sequential(Layer.Linear(3, 4), layer, Layer.Linear(4, 2));
        var x = new Rng(1).Normal(5, 3);
        var p = model.Init(2);
        var hand = Linear.Forward(LeakyRelu.Forward(Linear.Forward(x, p["0.weight"], p["0.bias"]).Output, 0.05f).Output, p["2.weight"], p["2.bias"]).Output;
        Assert.Equal(hand.ToArray(), model.Predict(p, x).ToArray());
    }
}
