using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

public class ReluLaws
{
    [Property(MaxTest = 200)]
    public bool Relu_gradient_is_dy_where_x_is_positive_and_zero_elsewhere(NormalFloat[] xs, NormalFloat[] dys)
    {
        int n = Math.Min(xs.Length, dys.Length);
        var x = Tensor.FromArray(xs.Take(n).Select(v => (float)v.Get).ToArray(), n);
        var dy = Tensor.FromArray(dys.Take(n).Select(v => (float)v.Get).ToArray(), n);
        var dx = Relu.Forward(x).Backward(dy);
        for (int i = 0; i < n; i++)
            if (dx[i] != (x[i] > 0 ? dy[i] : 0f)) return false;
        return true;
    }
}
