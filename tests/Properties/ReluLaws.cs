using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>Relu's gradient is a mask; the shifted relu has the same gradient; forward is clamp_min plus the shift.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 200)]
public class ReluLaws
{
    [Property]
    public bool Relu_gradient_is_dy_where_x_is_positive_and_zero_elsewhere(NormalFloat[] xs, NormalFloat[] dys)
    {
        // Unrestricted floats, including exact zeros (relu'(0) = 0).
        int n = Math.Min(xs.Length, dys.Length);
        var x = Tensor.FromArray(xs.Take(n).Select(v => (float)v.Get).ToArray(), n);
        var dy = Tensor.FromArray(dys.Take(n).Select(v => (float)v.Get).ToArray(), n);
        var dx = Relu.Forward(x).Backward(dy);
        for (int i = 0; i < n; i++)
            if (dx[i] != (x[i] > 0 ? dy[i] : 0f)) return false;
        return true;
    }

    [Property]
    public void Relu_gradient_is_dy_times_the_positive_mask(ReluCase c)
    {
        var dx = Relu.Forward(c.X).Backward(c.Dy);
        Assert.Equal(c.X.ShapeArray(), dx.ShapeArray());
        Assert.Equal((c.Dy * c.X.Gt(0f)).ToArray(), dx.ToArray());
    }

    [Property]
    public void Relu_gradient_applied_twice_is_the_gradient_applied_once(ReluCase c)
    {
        // A mask is idempotent: back(back(dy)) = back(dy).
        var back = Relu.Forward(c.X).Backward;
        Assert.Equal(back(c.Dy).ToArray(), back(back(c.Dy)).ToArray());
    }

    [Property]
    public void Shifted_relu_forward_is_clamp_min_zero_plus_the_shift_and_its_gradient_is_the_positive_mask(ReluCase c)
    {
        var (y, back) = ShiftedRelu.Forward(c.X, c.Shift);
        Assert.Equal((c.X.ClampMin(0f) + c.Shift).ToArray(), y.ToArray());
        // The mask written out element by element, not through Relu (which shares ShiftedRelu's code): the lesson's
        // inp.g = (inp > 0).float() * out.g, whatever the shift.
        var dx = back(c.Dy);
        Assert.Equal(c.X.ShapeArray(), dx.ShapeArray());
        for (int i = 0; i < dx.Length; i++)
        {
            float x = c.X.AsSpan()[i], dy = c.Dy.AsSpan()[i];
            Assert.True(dx.AsSpan()[i] == (x > 0 ? dy : 0f), $"shift {c.Shift}: x = {x}, dy = {dy}, dx = {dx.AsSpan()[i]}");
        }
    }

    [Property]
    public void Relu_output_is_never_negative_and_equals_x_where_x_is_positive(ReluCase c)
    {
        var y = Relu.Forward(c.X).Output;
        for (int i = 0; i < y.Length; i++)
        {
            float x = c.X.AsSpan()[i], v = y.AsSpan()[i];
            Assert.True(v >= 0 && (x > 0 ? v == x : v == 0), $"relu({x}) = {v}");
        }
    }
}
