using FsCheck;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>
/// JAX's <c>check_vjp</c> law for every layer: ⟨c, (f(x+εt) − f(x−εt))/2ε⟩ ≈ ⟨backward(c), t⟩.
/// </summary>
/// <remarks>
/// Linear is bilinear in (x, w) plus b, Mse is quadratic, and relu is linear on each side of its kink, which the
/// generators keep every input at least 0.5 away from while |εt| ≤ 0.25. For all of them the central difference
/// is exact in real arithmetic, so the only error is float32 rounding of the forward passes: a few ulps of each
/// term, measured against Σ|cᵢ|·(|f₊ᵢ| + |f₋ᵢ|)/2ε. Inner products are taken in double.
/// </remarks>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 200)]
public class VjpLaws
{
    private const float Eps = 0.25f;

    /// <summary>Checks the law given f at x ± εt, the cotangent c and ⟨backward(c), t⟩ with its rounding scale.</summary>
    private static void AssertLaw(Tensor up, Tensor down, Tensor c, double rhs, double rhsScale)
    {
        double lhs = (Reference.Dot(c, up) - Reference.Dot(c, down)) / (2 * Eps);
        double scale = (Reference.AbsDot(c, up) + Reference.AbsDot(c, down)) / (2 * Eps) + rhsScale;
        double tol = 1e-6 + 1e-5 * scale; // ~100 float32 ulps of the largest term
        Assert.True(Math.Abs(lhs - rhs) <= tol, $"⟨c, Δf/2ε⟩ = {lhs} but ⟨back(c), t⟩ = {rhs} (tolerance {tol})");
    }

    [Property]
    public void Linear_satisfies_the_inner_product_law_in_all_three_inputs(LinearCase c)
    {
        var up = Linear.Forward(c.X + c.Tx * Eps, c.W + c.Tw * Eps, c.B + c.Tb * Eps).Output;
        var down = Linear.Forward(c.X - c.Tx * Eps, c.W - c.Tw * Eps, c.B - c.Tb * Eps).Output;
        var g = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        double rhs = Reference.Dot(g.Dx, c.Tx) + Reference.Dot(g.Dw, c.Tw) + Reference.Dot(g.Db, c.Tb);
        double rhsScale = Reference.AbsDot(g.Dx, c.Tx) + Reference.AbsDot(g.Dw, c.Tw) + Reference.AbsDot(g.Db, c.Tb);
        AssertLaw(up, down, c.Dy, rhs, rhsScale);
    }

    [Property]
    public void Linear_satisfies_the_inner_product_law_in_each_input_alone(LinearCase c)
    {
        var g = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        AssertLaw(Linear.Forward(c.X + c.Tx * Eps, c.W, c.B).Output, Linear.Forward(c.X - c.Tx * Eps, c.W, c.B).Output,
            c.Dy, Reference.Dot(g.Dx, c.Tx), Reference.AbsDot(g.Dx, c.Tx));
        AssertLaw(Linear.Forward(c.X, c.W + c.Tw * Eps, c.B).Output, Linear.Forward(c.X, c.W - c.Tw * Eps, c.B).Output,
            c.Dy, Reference.Dot(g.Dw, c.Tw), Reference.AbsDot(g.Dw, c.Tw));
        AssertLaw(Linear.Forward(c.X, c.W, c.B + c.Tb * Eps).Output, Linear.Forward(c.X, c.W, c.B - c.Tb * Eps).Output,
            c.Dy, Reference.Dot(g.Db, c.Tb), Reference.AbsDot(g.Db, c.Tb));
    }

    [Property]
    public void Relu_satisfies_the_inner_product_law_away_from_its_kink(ReluCase c)
    {
        var dx = Relu.Forward(c.X).Backward(c.Dy);
        AssertLaw(Relu.Forward(c.X + c.T * Eps).Output, Relu.Forward(c.X - c.T * Eps).Output,
            c.Dy, Reference.Dot(dx, c.T), Reference.AbsDot(dx, c.T));
    }

    [Property]
    public void Shifted_relu_satisfies_the_inner_product_law_away_from_its_kink(ReluCase c)
    {
        var dx = ShiftedRelu.Forward(c.X, c.Shift).Backward(c.Dy);
        AssertLaw(ShiftedRelu.Forward(c.X + c.T * Eps, c.Shift).Output, ShiftedRelu.Forward(c.X - c.T * Eps, c.Shift).Output,
            c.Dy, Reference.Dot(dx, c.T), Reference.AbsDot(dx, c.T));
    }

    [Property]
    public void Mse_satisfies_the_inner_product_law(MseCase c)
    {
        var dl = Tensor.Scalar(c.Dl);
        var dOut = Mse.Forward(c.Output, c.Target).Backward(dl);
        AssertLaw(Mse.Forward(c.Output + c.T * Eps, c.Target).Output, Mse.Forward(c.Output - c.T * Eps, c.Target).Output,
            dl, Reference.Dot(dOut, c.T), Reference.AbsDot(dOut, c.T));
    }

    [Property]
    public void Mse_gradient_is_two_times_the_error_over_n(MseCase c)
    {
        var dOut = Mse.Forward(c.Output, c.Target).Backward(Tensor.Scalar(c.Dl));
        int n = c.Target.Length;
        Assert.Equal(c.Output.ShapeArray(), dOut.ShapeArray());
        for (int i = 0; i < n; i++)
        {
            double expected = c.Dl * 2.0 * (c.Output[i, 0] - c.Target[i]) / n;
            Assert.True(Math.Abs(expected - dOut[i, 0]) <= 1e-6 * (1 + Math.Abs(expected)), $"row {i}: {expected} vs {dOut[i, 0]}");
        }
    }
}
