namespace Mlp.Tests.Core;

/// <summary>Element-wise arithmetic, comparisons and math functions (src/Core/Tensor.Elementwise.cs).</summary>
public class TensorElementwiseTests
{
    private static readonly Tensor A = Tensor.FromArray([1, -2, 3, 4], 2, 2);
    private static readonly Tensor B = Tensor.FromArray([2, 4, -1, 8], 2, 2);

    [Fact]
    public void Same_shape_add_sub_mul_div_work_element_by_element()
    {
        Assert.Equal([3f, 2f, 2f, 12f], (A + B).ToArray());
        Assert.Equal([-1f, -6f, 4f, -4f], (A - B).ToArray());
        Assert.Equal([2f, -8f, -3f, 32f], (A * B).ToArray());
        Assert.Equal([0.5f, -0.5f, -3f, 0.5f], (A / B).ToArray());
        Assert.Equal((A + B).ToArray(), A.Add(B).ToArray());
        Assert.Equal((A - B).ToArray(), A.Sub(B).ToArray());
        Assert.Equal((A * B).ToArray(), A.Mul(B).ToArray());
        Assert.Equal((A / B).ToArray(), A.Div(B).ToArray());
    }

    [Fact]
    public void Operations_return_new_tensors_and_leave_their_inputs_unchanged()
    {
        var a = Tensor.FromArray([1, 2], 2);
        var before = a.ToArray();
        _ = a + a; _ = a * 3f; _ = a.ClampMin(1.5f); _ = a.Exp(); _ = -a;
        Assert.Equal(before, a.ToArray());
    }

    [Fact]
    public void Tensor_scalar_operators_work_on_both_sides()
    {
        var a = Tensor.FromArray([1, 2, 4], 3);
        Assert.Equal([3f, 4f, 6f], (a + 2f).ToArray());
        Assert.Equal([3f, 4f, 6f], (2f + a).ToArray());
        Assert.Equal([-1f, 0f, 2f], (a - 2f).ToArray());
        Assert.Equal([1f, 0f, -2f], (2f - a).ToArray());
        Assert.Equal([2f, 4f, 8f], (a * 2f).ToArray());
        Assert.Equal([2f, 4f, 8f], (2f * a).ToArray());
        Assert.Equal([0.5f, 1f, 2f], (a / 2f).ToArray());
        Assert.Equal([2f, 1f, 0.5f], (2f / a).ToArray());
        Assert.Equal([-1f, -2f, -4f], (-a).ToArray());
    }

    [Fact]
    public void A_column_plus_a_row_vector_broadcasts_to_a_square_like_numpy()
    {
        // (3,1) + (3) → (3,3): out[i,j] = c[i] + r[j]. This is the silent shape change the lesson's squeeze avoids.
        var c = Tensor.FromArray([1, 2, 3], 3, 1);
        var r = Tensor.FromArray([10, 20, 30], 3);
        var s = c + r;
        Assert.Equal([3, 3], s.ShapeArray());
        Assert.Equal([11f, 21f, 31f, 12f, 22f, 32f, 13f, 23f, 33f], s.ToArray());
        Assert.Equal([-9f, -19f, -29f, -8f, -18f, -28f, -7f, -17f, -27f], (c - r).ToArray());
        Assert.Equal([9f, 8f, 7f, 19f, 18f, 17f, 29f, 28f, 27f], (r - c).Transpose().ToArray());
    }

    [Fact]
    public void A_matrix_plus_a_row_vector_adds_the_row_to_every_row()
    {
        var m = Tensor.Arange(6).Reshape(2, 3);
        var b = Tensor.FromArray([100, 200, 300], 3);
        Assert.Equal([100f, 201f, 302f, 103f, 204f, 305f], (m + b).ToArray());
        Assert.Equal([100f, 201f, 302f, 103f, 204f, 305f], (b + m).ToArray());
        Assert.Equal([0f, 200f, 600f, 300f, 800f, 1500f], (m * b).ToArray());
        Assert.Equal([-100f, -199f, -298f, -97f, -196f, -295f], (m - b).ToArray());
        Assert.Equal([100f, 199f, 298f, 97f, 196f, 295f], (b - m).ToArray());
    }

    [Fact]
    public void A_matrix_divided_by_a_column_divides_each_row_by_its_entry()
    {
        var m = Tensor.FromArray([2, 4, 6, 9], 2, 2);
        var c = Tensor.FromArray([2, 3], 2, 1);
        Assert.Equal([1f, 2f, 2f, 3f], (m / c).ToArray());
        Assert.Equal([1f, 0.5f, 0.5f, 1f / 3f], (c / m).ToArray());
    }

    [Fact]
    public void A_zero_dimensional_tensor_broadcasts_like_a_scalar_on_either_side()
    {
        var m = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var s = Tensor.Scalar(10);
        Assert.Equal([2, 2], (m + s).ShapeArray());
        Assert.Equal([11f, 12f, 13f, 14f], (m + s).ToArray());
        Assert.Equal([9f, 8f, 7f, 6f], (s - m).ToArray());
        Assert.Equal(0, (s * s).Rank);
        Assert.Equal(100f, (s * s).ToScalar());
    }

    [Fact]
    public void Broadcasting_over_three_dimensions_matches_index_arithmetic()
    {
        // (2,1,3) − (4,1) → (2,4,3): out[i,j,k] = a[i,0,k] − b[j,0]
        var a = Tensor.Arange(6).Reshape(2, 1, 3);
        var b = Tensor.FromArray([0, 10, 20, 30], 4, 1);
        var o = a - b;
        Assert.Equal([2, 4, 3], o.ShapeArray());
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(a[i, 0, k] - b[j, 0], o[i, j, k]);
    }

    [Fact]
    public void A_size_one_leading_block_broadcasts_against_a_longer_rank()
    {
        var a = Tensor.Arange(24).Reshape(2, 3, 4);
        var b = Tensor.FromArray([1, 2, 3, 4], 1, 1, 4);
        var o = a * b;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(a[i, j, k] * (k + 1), o[i, j, k]);
    }

    [Fact]
    public void Broadcasting_against_an_empty_dimension_gives_an_empty_result()
    {
        var o = Tensor.Zeros(0, 3) + Tensor.Ones(3);
        Assert.Equal([0, 3], o.ShapeArray());
    }

    [Fact]
    public void Incompatible_shapes_name_both_shapes_in_the_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4,)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 2).Gt(Tensor.Zeros(2, 3)));
        Assert.Contains("(3, 2)", e2.Message);
        Assert.Contains("(2, 3)", e2.Message);
    }

    [Fact]
    public void Comparisons_give_one_where_true_and_zero_where_false()
    {
        var a = Tensor.FromArray([1, 2, 3], 3);
        var b = Tensor.FromArray([2, 2, 2], 3);
        Assert.Equal([0f, 0f, 1f], a.Gt(b).ToArray());
        Assert.Equal([0f, 1f, 1f], a.Ge(b).ToArray());
        Assert.Equal([1f, 0f, 0f], a.Lt(b).ToArray());
        Assert.Equal([1f, 1f, 0f], a.Le(b).ToArray());
        Assert.Equal([0f, 1f, 0f], a.Eq(b).ToArray());
        Assert.Equal([0f, 0f, 1f], a.Gt(2f).ToArray());
        Assert.Equal([0f, 1f, 1f], a.Ge(2f).ToArray());
        Assert.Equal([1f, 0f, 0f], a.Lt(2f).ToArray());
        Assert.Equal([1f, 1f, 0f], a.Le(2f).ToArray());
        Assert.Equal([0f, 1f, 0f], a.Eq(2f).ToArray());
    }

    [Fact]
    public void Comparisons_broadcast_a_column_against_a_row()
    {
        var c = Tensor.FromArray([1, 2, 3], 3, 1);
        var r = Tensor.FromArray([1, 2, 3], 3);
        Assert.Equal([0f, 0f, 0f, 1f, 0f, 0f, 1f, 1f, 0f], c.Gt(r).ToArray());
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], c.Eq(r).ToArray());
    }

    [Fact]
    public void Comparisons_with_NaN_are_false()
    {
        var n = Tensor.FromArray([float.NaN], 1);
        Assert.Equal([0f], n.Gt(0f).ToArray());
        Assert.Equal([0f], n.Le(0f).ToArray());
        Assert.Equal([0f], n.Eq(n).ToArray());
    }

    [Fact]
    public void Maximum_broadcasts_and_propagates_NaN()
    {
        var a = Tensor.FromArray([1, 5, float.NaN], 3);
        var m = a.Maximum(Tensor.Scalar(2));
        Assert.Equal(2f, m[0]);
        Assert.Equal(5f, m[1]);
        Assert.True(float.IsNaN(m[2]));
    }

    [Fact]
    public void ClampMin_and_ClampMax_bound_each_element_and_keep_NaN()
    {
        var a = Tensor.FromArray([-2, -0.5f, 0, 0.5f, float.NaN], 5);
        var lo = a.ClampMin(0f);
        Assert.Equal([0f, 0f, 0f, 0.5f], lo.ToArray()[..4]);
        Assert.True(float.IsNaN(lo[4]));
        Assert.Equal([-2f, -0.5f, 0f, 0f], a.ClampMax(0f).ToArray()[..4]);
        Assert.Equal([-1f, -0.5f, 0f, 0.5f], a.ClampMin(-1f).ToArray()[..4]);
    }

    [Fact]
    public void Pow_squares_exactly_and_matches_math_pow_for_other_exponents()
    {
        var a = Tensor.FromArray([-3, 0.5f, 2, 1.1f], 4);
        Assert.Equal([9f, 0.25f, 4f, 1.1f * 1.1f], a.Pow(2).ToArray());
        Assert.Equal(a.ToArray(), a.Pow(1).ToArray());
        var p = Tensor.FromArray([0.5f, 2, 9], 3);
        var expected = p.ToArray().Select(v => MathF.Pow(v, 1.5f)).ToArray();
        var got = p.Pow(1.5f).ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], got[i], 5e-6f * MathF.Abs(expected[i]));
        Assert.Equal([1f, 1f, 1f], p.Pow(0).ToArray());
        Assert.True(float.IsNaN(Tensor.FromArray([-8f], 1).Pow(1f / 3f)[0])); // like torch: negative base, fractional exponent
    }

    [Fact]
    public void Exp_and_log_match_the_scalar_functions_and_invert_each_other()
    {
        float[] xs = [-3, -0.5f, 0, 1, 2.5f, 10];
        var e = Tensor.FromArray(xs, 6).Exp();
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal(Math.Exp(xs[i]), e[i], Math.Exp(xs[i]) * 2e-7);
        var back = e.Log();
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal(xs[i], back[i], 2e-6f);
    }

    [Fact]
    public void Log_of_zero_is_minus_infinity_and_of_a_negative_is_NaN()
    {
        var l = Tensor.FromArray([0f, -1f, 1f], 3).Log();
        Assert.Equal(float.NegativeInfinity, l[0]);
        Assert.True(float.IsNaN(l[1]));
        Assert.Equal(0f, l[2]);
    }

    [Fact]
    public void Sqrt_abs_and_tanh_match_their_scalar_functions()
    {
        var a = Tensor.FromArray([4, -2.25f, 0.5f], 3);
        Assert.Equal([4f, 2.25f, 0.5f], a.Abs().ToArray());
        Assert.Equal(2f, a.Sqrt()[0]);
        Assert.True(float.IsNaN(a.Sqrt()[1]));
        var t = a.Tanh();
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Tanh(a[i]), t[i], 1e-6);
    }

    [Fact]
    public void Division_by_zero_follows_IEEE()
    {
        var q = Tensor.FromArray([1, -1, 0], 3) / 0f;
        Assert.Equal(float.PositiveInfinity, q[0]);
        Assert.Equal(float.NegativeInfinity, q[1]);
        Assert.True(float.IsNaN(q[2]));
    }
}
