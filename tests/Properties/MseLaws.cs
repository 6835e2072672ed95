using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mlp.Testing;

namespace Mlp.Tests.Properties;

/// <summary>The lesson's mse gradient formula, element by element (the vjp laws themselves run in LawKitBuiltinLayers).</summary>
public class MseLaws
{
    private static Arbitrary<(Tensor Output, Tensor Target, float Dl)> Cases() => Arb.From(
        from n in Gen.Choose(1, 8)
        from output in TensorGen.OfShape([n, 1], Domain.Any)
        from target in TensorGen.OfShape([n], Domain.Any)
        from dl in TensorGen.OfShape([], Domain.Any)
        select (output, target, dl.ToScalar()));

    [Property(MaxTest = 200)]
    public Property Mse_gradient_is_two_times_the_error_over_n() => Prop.ForAll(Cases(), c =>
    {
        var dOut = Mse.Forward(c.Output, c.Target).Backward(Tensor.Scalar(c.Dl));
        int n = c.Target.Length;
        Assert.Equal(c.Output.ShapeArray(), dOut.ShapeArray());
        for (int i = 0; i < n; i++)
        {
            double expected = c.Dl * 2.0 * (c.Output[i, 0] - c.Target[i]) / n; // the lesson: 2·(inp.squeeze() − targ)/n
            Assert.True(Math.Abs(expected - dOut[i, 0]) <= 1e-6 * (1 + Math.Abs(expected)), $"row {i}: {expected} vs {dOut[i, 0]}");
        }
    });
}
