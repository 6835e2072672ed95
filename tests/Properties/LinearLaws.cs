using FsCheck;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>
/// Linear's gradient identities for random small shapes: dx = dy·wᵀ, dw = xᵀ·dy = Σ outer(xᵢ, dyᵢ) = einsum,
/// db = Σ_rows dy; backward is linear in dy; gradients over a concatenated batch are the sums over its parts.
/// </summary>
/// <remarks>
/// Inputs are two-decimal values in [−4, 4] and shapes at most 6 wide, so a float32 product sums at most six
/// terms of size ≤ 16: its rounding error is below 6·16·2⁻²⁴ ≈ 6e-6, well inside the tolerances used here.
/// </remarks>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 200)]
public class LinearLaws
{
    private const double Rtol = 1e-5, Atol = 1e-4;

    [Property]
    public void Forward_is_x_times_w_plus_b(LinearCase c)
    {
        var y = Linear.Forward(c.X, c.W, c.B).Output;
        var expected = Reference.MatMul(c.X, c.W, false, false);
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++) expected[i, j] += c.B[j];
        Reference.AssertClose(expected, y, Rtol, Atol, "y");
    }

    [Property]
    public void Dx_is_dy_times_w_transposed(LinearCase c)
    {
        var g = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        Reference.AssertClose(Reference.MatMul(c.Dy, c.W, false, true), g.Dx, Rtol, Atol, "dx");
    }

    [Property]
    public void Dw_is_x_transposed_times_dy_and_equals_the_outer_product_sum_and_the_einsum(LinearCase c)
    {
        var g = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        Reference.AssertClose(Reference.MatMul(c.X, c.Dy, true, false), g.Dw, Rtol, Atol, "dw");
        Reference.AssertClose(g.Dw, Ops.OuterProductSum(c.X, c.Dy), Rtol, Atol, "outer-product sum");
        Reference.AssertClose(g.Dw, Ops.Einsum("bi,bj->ij", c.X, c.Dy), Rtol, Atol, "einsum");
    }

    [Property]
    public void Db_is_the_sum_of_dy_over_rows(LinearCase c)
    {
        var g = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        double[] expected = Reference.SumRows(c.Dy);
        Assert.Equal([expected.Length], g.Db.ShapeArray());
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], g.Db[j], Atol);
    }

    // Float32 rounding of a sum of products is a few ulps of Σ|terms|; 1e-5 of that is ~80 ulps.
    private const double Rel = 1e-5;

    [Property]
    public void Backward_is_linear_in_dy(LinearCase c)
    {
        // back(a·dy₁ + b·dy₂) = a·back(dy₁) + b·back(dy₂)
        const float a = 1.5f, b = -0.75f;
        var back = Linear.Forward(c.X, c.W, c.B).Backward;
        var whole = back(c.Dy * a + c.Dy2 * b);
        var g1 = back(c.Dy);
        var g2 = back(c.Dy2);
        var absDy = c.Dy.Abs() * a + c.Dy2.Abs() * -b;
        Reference.AssertCloseScaled(g1.Dx * a + g2.Dx * b, whole.Dx, Ops.MatMul(absDy, c.W.Abs(), false, true), Rel, "dx");
        Reference.AssertCloseScaled(g1.Dw * a + g2.Dw * b, whole.Dw, Ops.MatMul(c.X.Abs(), absDy, true, false), Rel, "dw");
        Reference.AssertCloseScaled(g1.Db * a + g2.Db * b, whole.Db, Ops.SumRows(absDy), Rel, "db");
    }

    [Property]
    public void Gradients_over_a_concatenated_batch_are_the_sums_over_its_parts(SplitBatchCase c)
    {
        // Loss L = ⟨C, x·w + b⟩ summed over rows, so dy = C and the batch splits into independent terms.
        var whole = Linear.Forward(Tensor.ConcatRows([c.X1, c.X2]), c.W, c.B).Backward(Tensor.ConcatRows([c.C1, c.C2]));
        var p1 = Linear.Forward(c.X1, c.W, c.B).Backward(c.C1);
        var p2 = Linear.Forward(c.X2, c.W, c.B).Backward(c.C2);
        var x = Tensor.ConcatRows([c.X1, c.X2]);
        var absC = Tensor.ConcatRows([c.C1, c.C2]).Abs();
        Reference.AssertCloseScaled(p1.Dw + p2.Dw, whole.Dw, Ops.MatMul(x.Abs(), absC, true, false), Rel, "dw");
        Reference.AssertCloseScaled(p1.Db + p2.Db, whole.Db, Ops.SumRows(absC), Rel, "db");
        Reference.AssertCloseScaled(Tensor.ConcatRows([p1.Dx, p2.Dx]), whole.Dx, Ops.MatMul(absC, c.W.Abs(), false, true), Rel, "dx");
    }

    [Property]
    public void Backward_twice_gives_the_same_bits(LinearCase c)
    {
        var back = Linear.Forward(c.X, c.W, c.B).Backward;
        var g1 = back(c.Dy);
        var g2 = back(c.Dy);
        Reference.AssertBitwise(g1.Dx, g2.Dx, "dx");
        Reference.AssertBitwise(g1.Dw, g2.Dw, "dw");
        Reference.AssertBitwise(g1.Db, g2.Db, "db");
    }
}
