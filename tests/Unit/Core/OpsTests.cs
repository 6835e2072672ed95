namespace Mlp.Tests.Core;

/// <summary>Matrix products, the lesson's three weight-gradient forms, einsum and row sums (src/Core/Ops.cs).</summary>
public class OpsTests
{
    /// <summary>op(a)·op(b) by the textbook triple loop, in double.</summary>
    private static double[,] Naive(Tensor a, Tensor b, bool ta, bool tb)
    {
        int m = ta ? a.Size(1) : a.Size(0), k = ta ? a.Size(0) : a.Size(1), n = tb ? b.Size(0) : b.Size(1);
        float[] av = a.ToArray(), bv = b.ToArray();
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)(ta ? av[p * m + i] : av[i * k + p]) * (tb ? bv[j * k + p] : bv[p * n + j]);
                c[i, j] = s;
            }
        return c;
    }

    private static void AssertMatches(double[,] expected, Tensor actual, double tol)
    {
        int rows = expected.GetLength(0), cols = expected.GetLength(1);
        Assert.Equal([rows, cols], actual.ShapeArray());
        var got = actual.AsSpan();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (!(Math.Abs(expected[i, j] - got[i * cols + j]) <= tol * (1 + Math.Abs(expected[i, j]))))
                    Assert.Fail($"[{i},{j}]: expected {expected[i, j]}, got {got[i * cols + j]}");
    }

    [Fact]
    public void MatMul_of_small_matrices_gives_the_textbook_product()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([7, 8, 9, 10, 11, 12], 3, 2);
        Assert.Equal([58f, 64f, 139f, 154f], Ops.MatMul(a, b).ToArray());
        Assert.Equal([58f, 64f, 139f, 154f], a.Dot(b).ToArray());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_with_each_transpose_flag_equals_the_naive_triple_loop(bool ta, bool tb)
    {
        var rng = new Rng(7);
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 2), (17, 33, 9), (64, 70, 50), (5, 1, 300) })
        {
            var a = ta ? rng.Normal(k, m) : rng.Normal(m, k);
            var b = tb ? rng.Normal(n, k) : rng.Normal(k, n);
            AssertMatches(Naive(a, b, ta, tb), Ops.MatMul(a, b, ta, tb), 1e-5);
        }
    }

    [Fact]
    public void MatMul_large_enough_to_run_in_parallel_equals_the_naive_loop_and_is_repeatable()
    {
        var rng = new Rng(11);
        var x = rng.Normal(300, 200);
        var dy = rng.Normal(300, 50);
        var dw = Ops.MatMul(x, dy, transposeA: true, transposeB: false);
        AssertMatches(Naive(x, dy, true, false), dw, 1e-4);
        Assert.Equal(dw.ToArray(), Ops.MatMul(x, dy, true, false).ToArray());
        var w = rng.Normal(200, 50);
        AssertMatches(Naive(x, w, false, false), Ops.MatMul(x, w), 1e-4);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_propagates_NaN_and_infinity_even_through_zeros_like_torch(bool ta, bool tb)
    {
        // [0, 1]·[∞, 2]ᵀ = 0·∞ + 2 = NaN under IEEE; a kernel that skips zero multipliers would return 2.
        var a = Tensor.FromArray([0f, 1f], 1, 2);
        var b = Tensor.FromArray([float.PositiveInfinity, 2f], 2, 1);
        var c = Ops.MatMul(ta ? a.Transpose() : a, tb ? b.Transpose() : b, ta, tb);
        Assert.True(float.IsNaN(c.ToScalar()), $"got {c}");
        var nan = Ops.MatMul(Tensor.Zeros(40, 40), Tensor.Full([40, 40], float.NaN), ta, tb);
        Assert.All(nan.ToArray(), v => Assert.True(float.IsNaN(v)));
        var inf = Ops.MatMul(Tensor.Ones(3, 2), Tensor.FromArray([float.PositiveInfinity, 1f], 2, 1));
        Assert.All(inf.ToArray(), v => Assert.Equal(float.PositiveInfinity, v));
    }

    [Fact]
    public void MatMul_with_an_empty_inner_dimension_is_zeros()
    {
        var c = Ops.MatMul(Tensor.Zeros(3, 0), Tensor.Zeros(0, 2));
        Assert.Equal([3, 2], c.ShapeArray());
        Assert.All(c.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MatMul_with_mismatched_inner_dimensions_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        var t = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(2, 5), false, true));
        Assert.Contains("transposed (2, 5)", t.Message);
    }

    [Fact]
    public void MatMul_of_a_non_matrix_names_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(3), Tensor.Zeros(3, 2)));
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("(3, 2)", e.Message);
    }

    [Fact]
    public void SumRows_is_the_sum_over_the_first_dimension()
    {
        Assert.Equal([0f + 2 + 4, 1f + 3 + 5], Ops.SumRows(Tensor.Arange(6).Reshape(3, 2)).ToArray());
    }

    [Fact]
    public void The_lessons_three_weight_gradient_forms_are_equal()
    {
        var rng = new Rng(3);
        var x = rng.Normal(32, 20);
        var dy = rng.Normal(32, 7);
        var outer = Ops.OuterProductSum(x, dy);
        var einsum = Ops.Einsum("bi,bj->ij", x, dy);
        var matmul = Ops.MatMul(x, dy, transposeA: true, transposeB: false);
        Assert.Equal([20, 7], outer.ShapeArray());
        AssertMatches(Naive(x, dy, true, false), outer, 1e-5);
        Assert.True(outer.AllClose(matmul, rtol: 1e-5, atol: 1e-5), $"max diff {outer.MaxAbsDiff(matmul)}");
        Assert.True(einsum.AllClose(matmul, rtol: 1e-5, atol: 1e-5), $"max diff {einsum.MaxAbsDiff(matmul)}");
    }

    [Fact]
    public void OuterProductSum_rejects_row_counts_that_differ_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.OuterProductSum(Tensor.Zeros(4, 2), Tensor.Zeros(5, 3)));
        Assert.Contains("(4, 2)", e.Message);
        Assert.Contains("(5, 3)", e.Message);
    }

    [Theory]
    [InlineData("ij,jk->ik", false, false, false)]
    [InlineData("ji,jk->ik", true, false, false)]
    [InlineData("ij,kj->ik", false, true, false)]
    [InlineData("ji,kj->ik", true, true, false)]
    [InlineData("ij,jk->ki", false, false, true)]
    public void Einsum_matrix_patterns_equal_the_matching_MatMul(string equation, bool ta, bool tb, bool transposedResult)
    {
        var rng = new Rng(5);
        var a = ta ? rng.Normal(4, 3) : rng.Normal(3, 4);
        var b = tb ? rng.Normal(5, 4) : rng.Normal(4, 5);
        var expected = Naive(a, b, ta, tb);
        var got = Ops.Einsum(equation, a, b);
        AssertMatches(expected, transposedResult ? got.Transpose() : got, 1e-5);
    }

    [Fact]
    public void Einsum_row_wise_dot_product_sums_the_shared_letter()
    {
        // "ij,ij->i": both letters shared, only j summed.
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([1, 0, -1, 2, 2, 2], 2, 3);
        var r = Ops.Einsum("ij,ij->i", a, b);
        Assert.Equal([2], r.ShapeArray());
        Assert.Equal([1f + 0 - 3, 8f + 10 + 12], r.ToArray());
    }

    [Fact]
    public void Einsum_element_wise_product_keeps_every_letter()
    {
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([5, 6, 7, 8], 2, 2);
        Assert.Equal((a * b).ToArray(), Ops.Einsum("ij,ij->ij", a, b).ToArray());
        Assert.Equal((a * b.Transpose()).ToArray(), Ops.Einsum("ij,ji->ij", a, b).ToArray());
    }

    [Fact]
    public void Einsum_batched_outer_product_matches_the_unsqueeze_product()
    {
        var rng = new Rng(9);
        var x = rng.Normal(4, 3);
        var dy = rng.Normal(4, 2);
        var o = Ops.Einsum("bi,bj->bij", x, dy);
        Assert.Equal([4, 3, 2], o.ShapeArray());
        Assert.Equal((x.Unsqueeze(-1) * dy.Unsqueeze(1)).ToArray(), o.ToArray());
    }

    [Fact]
    public void Einsum_with_an_empty_output_sums_everything()
    {
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([1, 1, 2, 2], 2, 2);
        var s = Ops.Einsum("ij,ij->", a, b);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1f + 2 + 6 + 8, s.ToScalar());
    }

    [Fact]
    public void Einsum_ignores_spaces()
    {
        var rng = new Rng(1);
        var x = rng.Normal(3, 2);
        var y = rng.Normal(3, 4);
        Assert.Equal(Ops.Einsum("bi,bj->ij", x, y).ToArray(), Ops.Einsum(" bi , bj -> ij ", x, y).ToArray());
    }

    [Theory]
    [InlineData("bi,bj", "explicit '->'")]
    [InlineData("bi->ij", "exactly two operands")]
    [InlineData("bi,bj,bk->ij", "exactly two operands")]
    [InlineData("b,bj->bj", "names 1 dimensions")]
    [InlineData("bb,bj->bj", "distinct letters")]
    [InlineData("b1,bj->bj", "distinct letters")]
    [InlineData("bi,bj->iz", "appear in an input")]
    [InlineData("bi,bj->ii", "distinct letters")]
    public void Einsum_rejects_malformed_equations_quoting_them(string equation, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Einsum(equation, Tensor.Zeros(4, 3), Tensor.Zeros(4, 2)));
        Assert.Contains(equation, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Einsum_rejects_a_letter_with_two_sizes_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Einsum("bi,bj->ij", Tensor.Zeros(4, 3), Tensor.Zeros(5, 2)));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("(4, 3)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
    }
}
