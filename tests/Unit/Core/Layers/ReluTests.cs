namespace Mlp.Tests.Core;

/// <summary>Relu and the lesson's shifted relu (src/Core/Layers/Relu.cs).</summary>
public class ReluTests
{
    [Fact]
    public void Relu_forward_is_clamp_min_zero()
    {
        var x = Tensor.FromArray([-2, -0.5f, 0, 0.5f, 3], 5);
        var y = Relu.Forward(x).Output;
        Assert.Equal([0f, 0f, 0f, 0.5f, 3f], y.ToArray());
        Assert.Equal(x.ClampMin(0f).ToArray(), y.ToArray());
    }

    [Fact]
    public void Relu_keeps_the_shape_of_its_input()
    {
        Assert.Equal([2, 3, 4], Relu.Forward(Tensor.Zeros(2, 3, 4)).Output.ShapeArray());
    }

    [Fact]
    public void Relu_backward_is_dy_where_input_is_positive_and_zero_elsewhere()
    {
        var x = Tensor.FromArray([-2, 1, -0.5f, 3], 2, 2);
        var dy = Tensor.FromArray([10, 20, 30, 40], 2, 2);
        var dx = Relu.Forward(x).Backward(dy);
        Assert.Equal([2, 2], dx.ShapeArray());
        Assert.Equal([0f, 20f, 0f, 40f], dx.ToArray());
    }

    [Fact]
    public void Relu_derivative_at_zero_is_zero_like_pytorch_and_the_lesson()
    {
        var x = Tensor.FromArray([0f, -0f], 2);
        var dx = Relu.Forward(x).Backward(Tensor.FromArray([5f, 5f], 2));
        Assert.Equal([0f, 0f], dx.ToArray());
    }

    [Fact]
    public void Relu_propagates_NaN_forward_and_gives_zero_gradient_at_NaN()
    {
        var (y, back) = Relu.Forward(Tensor.FromArray([float.NaN, float.NegativeInfinity, float.PositiveInfinity], 3));
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(0f, y[1]);
        Assert.Equal(float.PositiveInfinity, y[2]);
        Assert.Equal([0f, 0f, 1f], back(Tensor.Ones(3)).ToArray());
    }

    [Fact]
    public void Relu_backward_with_a_gradient_of_another_shape_names_both_shapes()
    {
        var back = Relu.Forward(Tensor.Zeros(4, 2)).Backward;
        var e = Assert.Throws<ArgumentException>(() => back(Tensor.Zeros(2, 4)));
        Assert.Contains("(4, 2)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }

    [Fact]
    public void Relu_backward_called_twice_gives_the_same_result()
    {
        var back = Relu.Forward(Tensor.FromArray([1, -1, 2], 3)).Backward;
        var dy = Tensor.FromArray([3, 4, 5], 3);
        Assert.Equal(back(dy).ToArray(), back(dy).ToArray());
    }

    [Fact]
    public void The_lessons_shift_is_minus_one_half()
    {
        Assert.Equal(-0.5f, ShiftedRelu.LessonShift);
    }

    [Fact]
    public void Shifted_relu_forward_is_clamp_min_zero_minus_one_half()
    {
        var x = Tensor.FromArray([-2, 0, 0.25f, 3], 4);
        var y = ShiftedRelu.Forward(x, ShiftedRelu.LessonShift).Output;
        Assert.Equal([-0.5f, -0.5f, -0.25f, 2.5f], y.ToArray());
        Assert.Equal((x.ClampMin(0f) - 0.5f).ToArray(), y.ToArray());
    }

    [Fact]
    public void Shifted_relu_backward_is_relus_because_the_shift_is_a_constant()
    {
        var x = Tensor.FromArray([-2, 0, 0.25f, 3], 4);
        var dy = Tensor.FromArray([1, 2, 3, 4], 4);
        Assert.Equal([0f, 0f, 3f, 4f], ShiftedRelu.Forward(x, -0.5f).Backward(dy).ToArray());
        Assert.Equal([0f, 0f, 3f, 4f], ShiftedRelu.Forward(x, 7f).Backward(dy).ToArray()); // the mask, written out
    }

    [Fact]
    public void Shifted_relu_pulls_the_post_relu_mean_down_by_the_shift_as_in_the_lesson()
    {
        var x = new Rng(1).Normal(10_000);
        float plain = Relu.Forward(x).Output.Mean().ToScalar();
        float shifted = ShiftedRelu.Forward(x, ShiftedRelu.LessonShift).Output.Mean().ToScalar();
        Assert.Equal(plain - 0.5f, shifted, 1e-5f);
        // relu of N(0,1) has mean 1/√(2π) ≈ 0.399, so the shifted mean is ≈ −0.101.
        Assert.Equal(1 / Math.Sqrt(2 * Math.PI) - 0.5, shifted, 0.03);
    }
}
