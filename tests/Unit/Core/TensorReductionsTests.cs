namespace Mlp.Tests.Core;

/// <summary>Sum, mean, std, max, argmax over everything and along an axis (src/Core/Tensor.Reductions.cs).</summary>
public class TensorReductionsTests
{
    // Rows [1 2 3] and [4 5 6].
    private static readonly Tensor M = Tensor.Arange(6).Reshape(2, 3) + 1f;

    [Fact]
    public void Sum_and_mean_of_all_elements_are_scalars()
    {
        Assert.Equal(0, M.Sum().Rank);
        Assert.Equal(21f, M.Sum().ToScalar());
        Assert.Equal(3.5f, M.Mean().ToScalar());
    }

    [Fact]
    public void Sum_along_an_axis_drops_it_unless_keepDim()
    {
        Assert.Equal([5f, 7f, 9f], M.Sum(0).ToArray());
        Assert.Equal([3], M.Sum(0).ShapeArray());
        Assert.Equal([6f, 15f], M.Sum(1).ToArray());
        Assert.Equal([6f, 15f], M.Sum(-1).ToArray());
        Assert.Equal([1, 3], M.Sum(0, keepDim: true).ShapeArray());
        Assert.Equal([2, 1], M.Sum(1, keepDim: true).ShapeArray());
        Assert.Equal([6f, 15f], M.Sum(1, keepDim: true).ToArray());
    }

    [Fact]
    public void Mean_along_an_axis_divides_by_its_length()
    {
        Assert.Equal([2.5f, 3.5f, 4.5f], M.Mean(0).ToArray());
        Assert.Equal([2f, 5f], M.Mean(1).ToArray());
        Assert.Equal([2, 1], M.Mean(1, keepDim: true).ShapeArray());
    }

    [Fact]
    public void Reductions_along_the_middle_axis_of_a_3d_tensor_match_a_loop()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var s = t.Sum(1);
        var mx = t.Max(1, keepDim: true);
        Assert.Equal([2, 4], s.ShapeArray());
        Assert.Equal([2, 1, 4], mx.ShapeArray());
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(t[i, 0, k] + t[i, 1, k] + t[i, 2, k], s[i, k]);
                Assert.Equal(t[i, 2, k], mx[i, 0, k]);
            }
    }

    [Fact]
    public void Std_uses_Bessels_correction_like_torch_std()
    {
        // Σ(x − 5)² = 32 over 8 values: torch.std = √(32/7) ≈ 2.13809, not √(32/8) = 2.
        var t = Tensor.FromArray([2, 4, 4, 4, 5, 5, 7, 9], 8);
        Assert.Equal(Math.Sqrt(32.0 / 7.0), t.Std().ToScalar(), 1e-6);
    }

    [Fact]
    public void Std_along_each_axis_uses_Bessels_correction()
    {
        // Columns of M: pairs differing by 3 → std = √((1.5² + 1.5²)/1) = 2.12132; rows: 1,2,3 → std = 1.
        var c = M.Std(0);
        Assert.Equal([3], c.ShapeArray());
        Assert.All(c.ToArray(), v => Assert.Equal(Math.Sqrt(4.5), v, 1e-6));
        var r = M.Std(1, keepDim: true);
        Assert.Equal([2, 1], r.ShapeArray());
        Assert.All(r.ToArray(), v => Assert.Equal(1.0, v, 1e-6));
        Assert.All(M.Std(-1).ToArray(), v => Assert.Equal(1.0, v, 1e-6));
    }

    [Fact]
    public void Std_of_fewer_than_two_values_is_NaN_like_torch()
    {
        Assert.True(float.IsNaN(Tensor.FromArray([3f], 1).Std().ToScalar()));
        Assert.All(Tensor.Zeros(1, 3).Std(0).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(Tensor.Zeros(3, 1).Std(1).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Mean_and_std_of_a_large_tensor_are_accurate_to_float_precision()
    {
        // 1,000,000 values 0.1, 0.2, …: float accumulation would drift; the double accumulator does not.
        int n = 1_000_000;
        var t = Tensor.Create([n], b => { for (int i = 0; i < n; i++) b[i] = (i % 10 + 1) * 0.1f; });
        double mean = 0, ss = 0;
        foreach (float v in t.AsSpan()) mean += v;
        mean /= n;
        foreach (float v in t.AsSpan()) ss += (v - mean) * (v - mean);
        Assert.Equal(mean, t.Mean().ToScalar(), 1e-6);
        Assert.Equal(Math.Sqrt(ss / (n - 1)), t.Std().ToScalar(), 1e-6);
    }

    [Fact]
    public void Max_min_and_argmax_of_all_elements()
    {
        var t = Tensor.FromArray([3, 9, -1, 9, 2], 5);
        Assert.Equal(9f, t.Max().ToScalar());
        Assert.Equal(-1f, t.Min().ToScalar());
        Assert.Equal(1, t.ArgMax()); // the first of equal maxima, like torch
    }

    [Fact]
    public void Max_and_argmax_of_all_elements_treat_NaN_as_the_maximum_like_torch()
    {
        var t = Tensor.FromArray([3, float.NaN, 9], 3);
        Assert.True(float.IsNaN(t.Max().ToScalar()));
        Assert.Equal(1, t.ArgMax());
    }

    [Fact]
    public void Max_and_argmax_along_an_axis()
    {
        var t = Tensor.FromArray([1, 7, 3, 9, 2, 9], 2, 3);
        Assert.Equal([9f, 7f, 9f], t.Max(0).ToArray());
        Assert.Equal([7f, 9f], t.Max(1).ToArray());
        Assert.Equal([1f, 0f, 1f], t.ArgMax(0).ToArray());
        Assert.Equal([1f, 0f], t.ArgMax(1).ToArray()); // first of the tied 9s
        Assert.Equal([2, 1], t.ArgMax(1, keepDim: true).ShapeArray());
        Assert.Equal([1, 0], t.ArgMaxRows());
    }

    [Fact]
    public void Argmax_along_an_axis_picks_NaN_as_the_maximum()
    {
        var t = Tensor.FromArray([1, float.NaN, 3, 2], 4, 1);
        Assert.Equal([1f], t.ArgMax(0).ToArray());
        Assert.True(float.IsNaN(t.Max(0)[0]));
    }

    [Fact]
    public void Reductions_of_empty_tensors_follow_torch()
    {
        Assert.Equal(0f, Tensor.Zeros(0).Sum().ToScalar());
        Assert.True(float.IsNaN(Tensor.Zeros(0).Mean().ToScalar()));
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0).Max());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0).ArgMax());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0, 3).Max(0));
        Assert.Equal([0f, 0f, 0f], Tensor.Zeros(0, 3).Sum(0).ToArray());
    }

    [Fact]
    public void A_missing_axis_is_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => M.Sum(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => M.Mean(-3));
    }

    [Fact]
    public void ArgMaxRows_of_a_non_matrix_names_the_shape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(3).ArgMaxRows());
        Assert.Contains("(3,)", e.Message);
    }
}
