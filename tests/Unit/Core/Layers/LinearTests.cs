namespace Mlp.Tests.Core;

/// <summary>The fully connected layer (src/Core/Layers/Linear.cs).</summary>
public class LinearTests
{
    [Fact]
    public void Linear_forward_is_x_times_w_plus_b()
    {
        var x = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var w = Tensor.FromArray([1, 0, -1, 2, 1, 0], 2, 3);
        var b = Tensor.FromArray([0.5f, -0.5f, 1], 3);
        var y = Linear.Forward(x, w, b).Output;
        // row 0: [1*1+2*2, 1*0+2*1, 1*-1+2*0] + b = [5.5, 1.5, 0]
        Assert.Equal([5.5f, 1.5f, 0f, 11.5f, 3.5f, -2f], y.ToArray());
    }

    [Fact]
    public void Linear_backward_gives_the_lessons_three_formulas()
    {
        var x = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var w = Tensor.FromArray([1, 0, -1, 2, 1, 0], 2, 3);
        var b = Tensor.Zeros(3);
        var dy = Tensor.FromArray([1, 0, 2, -1, 1, 0], 2, 3);
        var (dx, dw, db) = Linear.Forward(x, w, b).Backward(dy);
        Assert.Equal([-1f, 2f, -1f, -1f], dx.ToArray());           // dy·wᵀ
        Assert.Equal([-2f, 3f, 2f, -2f, 4f, 4f], dw.ToArray());    // xᵀ·dy
        Assert.Equal([0f, 1f, 2f], db.ToArray());                  // Σ_rows dy
    }

    [Fact]
    public void Linear_gradients_have_the_shapes_of_x_w_and_b()
    {
        var rng = new Rng(1);
        var (y, back) = Linear.Forward(rng.Normal(7, 5), rng.Normal(5, 3), rng.Normal(3));
        Assert.Equal([7, 3], y.ShapeArray());
        var g = back(rng.Normal(7, 3));
        Assert.Equal([7, 5], g.Dx.ShapeArray());
        Assert.Equal([5, 3], g.Dw.ShapeArray());
        Assert.Equal([3], g.Db.ShapeArray());
    }

    [Fact]
    public void Linear_weight_gradient_equals_the_outer_product_sum_and_the_einsum()
    {
        var rng = new Rng(2);
        var x = rng.Normal(10, 6);
        var dy = rng.Normal(10, 4);
        var g = Linear.Forward(x, rng.Normal(6, 4), rng.Normal(4)).Backward(dy);
        Assert.True(g.Dw.AllClose(Ops.OuterProductSum(x, dy), 1e-5, 1e-5));
        Assert.True(g.Dw.AllClose(Ops.Einsum("bi,bj->ij", x, dy), 1e-5, 1e-5));
    }

    [Fact]
    public void Linear_backward_leaves_its_inputs_unchanged_and_repeats_exactly()
    {
        var rng = new Rng(3);
        var x = rng.Normal(4, 3);
        var w = rng.Normal(3, 2);
        var b = rng.Normal(2);
        float[] xs = x.ToArray(), ws = w.ToArray(), bs = b.ToArray();
        var back = Linear.Forward(x, w, b).Backward;
        var dy = rng.Normal(4, 2);
        var g1 = back(dy);
        var g2 = back(dy);
        Assert.Equal(g1.Dx.ToArray(), g2.Dx.ToArray());
        Assert.Equal(g1.Dw.ToArray(), g2.Dw.ToArray());
        Assert.Equal(g1.Db.ToArray(), g2.Db.ToArray());
        Assert.Equal(xs, x.ToArray());
        Assert.Equal(ws, w.ToArray());
        Assert.Equal(bs, b.ToArray());
    }

    [Fact]
    public void Linear_shape_error_names_all_three_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Linear.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5), Tensor.Zeros(5)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        Assert.Contains("(5,)", e.Message);
    }

    [Fact]
    public void Linear_rejects_a_bias_of_the_wrong_length_and_a_non_matrix_input()
    {
        Assert.Throws<ArgumentException>(() => Linear.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(3, 5), Tensor.Zeros(4)));
        Assert.Throws<ArgumentException>(() => Linear.Forward(Tensor.Zeros(3), Tensor.Zeros(3, 5), Tensor.Zeros(5)));
        Assert.Throws<ArgumentException>(() => Linear.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(3, 5), Tensor.Zeros(1, 5)));
    }

    [Fact]
    public void Linear_backward_with_a_gradient_of_the_wrong_shape_names_the_expected_and_actual_shapes()
    {
        var back = Linear.Forward(Tensor.Zeros(4, 3), Tensor.Zeros(3, 2), Tensor.Zeros(2)).Backward;
        var e = Assert.Throws<ArgumentException>(() => back(Tensor.Zeros(5, 2)));
        Assert.Contains("(4, 2)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
    }
}
