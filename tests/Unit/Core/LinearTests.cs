namespace Mlp.Tests.Core;

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
    public void Linear_shape_error_names_all_three_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Linear.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5), Tensor.Zeros(5)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        Assert.Contains("(5,)", e.Message);
    }
}
