using FsCheck;
using FsCheck.Xunit;
using Mlp.Testing;

namespace Mlp.Tests.LawKit;

/// <summary>Tanh, Sigmoid, Softmax, GELU, Dropout (fixed keep pattern) and BatchNorm1d (both modes), described for the law kit.</summary>
public static class NewLayerSpecs
{
    public static LayerSpec Tanh { get; } = LayerSpec.Elementwise("Tanh", Domain.Any, Mlp.Tanh.Forward);

    public static LayerSpec Sigmoid { get; } = LayerSpec.Elementwise("Sigmoid", Domain.Any, Mlp.Sigmoid.Forward);

    /// <summary>Softmax as a layer (row-wise over the features).</summary>
    public static LayerSpec Softmax { get; } = LayerSpec.Create("Softmax",
        [ArgSpec.Input("x", "n,c")], "n,c", a => Mlp.Softmax.Forward(a[0]).MapBackward(d => new[] { d })).RowWise('n');

    public static LayerSpec GeluExact { get; } =
        LayerSpec.Elementwise("Gelu(none)", Domain.Any, x => Mlp.Gelu.Forward(x, GeluApproximation.None));

    public static LayerSpec GeluTanh { get; } =
        LayerSpec.Elementwise("Gelu(tanh)", Domain.Any, x => Mlp.Gelu.Forward(x, GeluApproximation.Tanh));

    /// <summary>The keep pattern is a constant of 0s and 1s; p = 0.25 scales kept entries by 4/3.</summary>
    public static LayerSpec Dropout { get; } = LayerSpec.Create("Dropout(0.25)",
        [ArgSpec.Input("x", "n,d"), ArgSpec.Constant("keep", "n,d", Domain.Grid(0, 1, 1))], "n,d",
        a => Mlp.Dropout.Forward(a[0], a[1], 0.25).MapBackward(dx => new[] { dx })).RowWise('n');

    /// <summary>
    /// Training mode couples the rows through the batch statistics, so it is not row-wise. x is drawn as (n, 2, c) and
    /// read as (2n, c), so every batch has at least two rows; row i is shifted by 5i, a constant that leaves the
    /// gradient unchanged but keeps every column's variance ≥ 1/4 (grid values lie in [−2, 2]), away from the
    /// √(σ² + eps) singularity where finite differences stop measuring the derivative.
    /// </summary>
    public static LayerSpec BatchNormTrain { get; } = LayerSpec.Create("BatchNorm1d(train)",
        [ArgSpec.Input("x", "n,2,c"), ArgSpec.Input("weight", "c"), ArgSpec.Input("bias", "c")], "n,2,c",
        a =>
        {
            int n = a[0].Shape[0], c = a[0].Shape[2];
            Tensor shift = Tensor.Create([2 * n, c], d => { for (int k = 0; k < d.Length; k++) d[k] = 5f * (k / c); });
            var r = BatchNorm1d.Train(a[0].Reshape(2 * n, c) + shift, a[1], a[2], BatchNorm1d.Stats.Initial(c), 0.1, BatchNorm1d.DefaultEps);
            return new Vjp<Tensor[]>(r.Vjp.Output.Reshape(n, 2, c), dy =>
            {
                var g = r.Vjp.Backward(dy.Reshape(2 * n, c));
                return [g.Dx.Reshape(n, 2, c), g.Dweight!, g.Dbias!];
            });
        });

    /// <summary>Evaluation mode: running statistics are constants (variance positive); the layer is row-wise.</summary>
    public static LayerSpec BatchNormEval { get; } = LayerSpec.Create("BatchNorm1d(eval)",
        [ArgSpec.Input("x", "n,c"), ArgSpec.Input("weight", "c"), ArgSpec.Input("bias", "c"),
         ArgSpec.Constant("running_mean", "c", Domain.Any), ArgSpec.Constant("running_var", "c", Domain.Positive)], "n,c",
        a => BatchNorm1d.Eval(a[0], a[1], a[2], new(a[3], a[4], 1), BatchNorm1d.DefaultEps)
            .MapBackward(g => new[] { g.Dx, g.Dweight!, g.Dbias! })).RowWise('n');
}

public class LawKitNewLayers
{
    [Property(MaxTest = 200)]
    public Property Tanh_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.Tanh);

    [Property(MaxTest = 200)]
    public Property Sigmoid_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.Sigmoid);

    [Property(MaxTest = 200)]
    public Property Softmax_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.Softmax);

    [Property(MaxTest = 200)]
    public Property Exact_gelu_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.GeluExact);

    [Property(MaxTest = 200)]
    public Property Tanh_approximated_gelu_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.GeluTanh);

    [Property(MaxTest = 200)]
    public Property Dropout_with_a_fixed_keep_pattern_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.Dropout);

    [Property(MaxTest = 200)]
    public Property BatchNorm1d_in_training_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.BatchNormTrain);

    [Property(MaxTest = 200)]
    public Property BatchNorm1d_in_evaluation_obeys_the_vjp_laws() => VjpLaws.ForAll(NewLayerSpecs.BatchNormEval);
}
