using FsCheck;
using FsCheck.Xunit;
using Mlp.Testing;

namespace Mlp.Tests.LawKit;

/// <summary>Every built-in layer and loss, described once for the law kit.</summary>
public static class BuiltinSpecs
{
    public static LayerSpec Linear { get; } = LayerSpec.Create("Linear",
        [ArgSpec.Input("x", "n,i"), ArgSpec.Input("w", "i,o"), ArgSpec.Input("b", "o")], "n,o",
        a => Mlp.Linear.Forward(a[0], a[1], a[2]).MapBackward(g => new[] { g.Dx, g.Dw, g.Db })).RowWise('n');

    public static LayerSpec Relu { get; } = LayerSpec.Elementwise("Relu", Domain.NonZero, Mlp.Relu.Forward);

    public static LayerSpec ShiftedRelu { get; } =
        LayerSpec.Elementwise("ShiftedRelu", Domain.NonZero, x => Mlp.ShiftedRelu.Forward(x, Mlp.ShiftedRelu.LessonShift));

    public static LayerSpec Mse { get; } = LayerSpec.Create("Mse",
        [ArgSpec.Input("output", "n,1"), ArgSpec.Constant("target", "n", Domain.Any)], "",
        a => Mlp.Mse.Forward(a[0], a[1]).MapBackward(d => new[] { d }));

    public static LayerSpec LogSoftmax { get; } = LayerSpec.Create("LogSoftmax",
        [ArgSpec.Input("x", "n,c")], "n,c", a => Mlp.LogSoftmax.Forward(a[0]).MapBackward(d => new[] { d })).RowWise('n');

    public static LayerSpec CrossEntropy { get; } = LayerSpec.Create("CrossEntropy",
        [ArgSpec.Input("logits", "n,c"), ArgSpec.Constant("labels", "n", Domain.Labels('c'))], "",
        a => Mlp.CrossEntropy.Forward(a[0], a[1].ToArray().Select(l => (int)l).ToArray()).MapBackward(d => new[] { d }));

    public static LayerSpec MseFlat { get; } = LayerSpec.Create("Mse on (n)",
        [ArgSpec.Input("output", "n"), ArgSpec.Constant("target", "n", Domain.Any)], "",
        a => Mlp.Mse.Forward(a[0], a[1]).MapBackward(d => new[] { d }));
}

public class LawKitBuiltinLayers
{
    [Property(MaxTest = 200)]
    public Property Linear_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.Linear);

    [Property(MaxTest = 200)]
    public Property Relu_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.Relu);

    [Property(MaxTest = 200)]
    public Property ShiftedRelu_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.ShiftedRelu);

    [Property(MaxTest = 200)]
    public Property Mse_with_a_constant_target_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.Mse);

    [Property(MaxTest = 200)]
    public Property Mse_on_a_flat_output_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.MseFlat);

    [Property(MaxTest = 200)]
    public Property LogSoftmax_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.LogSoftmax);

    [Property(MaxTest = 200)]
    public Property CrossEntropy_with_constant_labels_obeys_the_vjp_laws() => VjpLaws.ForAll(BuiltinSpecs.CrossEntropy);

    [Fact]
    public void Linear_passes_Verify_in_a_plain_fact() => VjpLaws.Verify(BuiltinSpecs.Linear);
}

public class LawKitFindings
{
    // Found by the law kit: Mse squeezed a one-element (1) prediction to a scalar and then rejected its (1) target.
    [Fact]
    public void Mse_accepts_a_single_flat_prediction_and_its_target()
    {
        var (loss, back) = Mse.Forward(Tensor.FromArray([3f], 1), Tensor.FromArray([1f], 1));
        Assert.Equal(4f, loss.ToScalar());                       // (3 − 1)²
        Assert.Equal([4f], back(Tensor.Ones()).ToArray());      // 2(ŷ − y)/n
    }
}
