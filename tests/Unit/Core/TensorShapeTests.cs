namespace Mlp.Tests.Core;

/// <summary>Reshape, squeeze, unsqueeze, transpose and row selection (src/Core/Tensor.Shape.cs).</summary>
public class TensorShapeTests
{
    [Fact]
    public void Reshape_keeps_the_row_major_order()
    {
        var t = Tensor.Arange(6).Reshape(3, 2);
        Assert.Equal([3, 2], t.ShapeArray());
        Assert.Equal(3f, t[1, 1]);
        Assert.Equal(Tensor.Arange(6).ToArray(), t.ToArray());
    }

    [Fact]
    public void Reshape_infers_the_one_dimension_given_as_minus_one()
    {
        Assert.Equal([4, 3], Tensor.Zeros(2, 6).Reshape(4, -1).ShapeArray());
        Assert.Equal([2, 2, 3], Tensor.Zeros(12).Reshape(2, -1, 3).ShapeArray());
        Assert.Equal([12], Tensor.Zeros(3, 4).Reshape(-1).ShapeArray());
        Assert.Equal([0], Tensor.Zeros(0, 4).Reshape(-1).ShapeArray());
    }

    [Fact]
    public void Reshape_to_a_scalar_and_back()
    {
        var s = Tensor.FromArray([5f], 1, 1).Reshape();
        Assert.Equal(0, s.Rank);
        Assert.Equal([1, 1, 1], s.Reshape(1, -1, 1).ShapeArray());
    }

    [Fact]
    public void Reshape_with_two_minus_ones_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 6).Reshape(-1, -1));
        Assert.Contains("(2, 6)", e.Message);
    }

    [Fact]
    public void Reshape_to_a_different_element_count_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 6).Reshape(5, 2));
        Assert.Contains("(2, 6)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 6).Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 6).Reshape(-2, -6));
    }

    [Fact]
    public void Squeeze_of_a_size_one_dimension_removes_it()
    {
        Assert.Equal([5], Tensor.Zeros(5, 1).Squeeze(-1).ShapeArray());
        Assert.Equal([5, 1], Tensor.Zeros(1, 5, 1).Squeeze(0).ShapeArray());
        Assert.Equal([1, 5], Tensor.Zeros(1, 5, 1).Squeeze(2).ShapeArray());
    }

    [Fact]
    public void Squeeze_of_a_dimension_larger_than_one_returns_the_shape_unchanged_like_torch()
    {
        Assert.Equal([5, 3], Tensor.Zeros(5, 3).Squeeze(-1).ShapeArray());
        Assert.Equal([5], Tensor.Zeros(5).Squeeze(0).ShapeArray());
    }

    [Fact]
    public void Squeeze_of_a_missing_dimension_is_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(5, 1).Squeeze(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(5, 1).Squeeze(-3));
    }

    [Fact]
    public void Squeeze_of_a_scalar_at_zero_or_minus_one_is_the_scalar()
    {
        Assert.Equal(0, Tensor.Scalar(1).Squeeze(0).Rank);
        Assert.Equal(0, Tensor.Scalar(1).Squeeze(-1).Rank);
    }

    [Fact]
    public void Squeeze_without_a_dimension_removes_every_size_one_dimension()
    {
        Assert.Equal([3, 4], Tensor.Zeros(1, 3, 1, 4, 1).Squeeze().ShapeArray());
        Assert.Equal(0, Tensor.Zeros(1, 1).Squeeze().Rank);
    }

    [Fact]
    public void Unsqueeze_inserts_a_size_one_dimension_at_the_position()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([1, 2, 3], t.Unsqueeze(0).ShapeArray());
        Assert.Equal([2, 1, 3], t.Unsqueeze(1).ShapeArray());
        Assert.Equal([2, 3, 1], t.Unsqueeze(2).ShapeArray());
        Assert.Equal([2, 3, 1], t.Unsqueeze(-1).ShapeArray());
        Assert.Equal([2, 1, 3], t.Unsqueeze(-2).ShapeArray());
        Assert.Equal([1], Tensor.Scalar(3).Unsqueeze(0).ShapeArray());
        Assert.Equal(t.ToArray(), t.Unsqueeze(1).ToArray());
    }

    [Fact]
    public void Unsqueeze_outside_minus_rank_minus_one_to_rank_is_out_of_range()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Unsqueeze(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Unsqueeze(-4));
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var tt = t.Transpose();
        Assert.Equal([3, 2], tt.ShapeArray());
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], tt.ToArray());
    }

    [Fact]
    public void Transpose_of_a_matrix_larger_than_one_cache_block_moves_every_element()
    {
        var t = Tensor.Arange(70 * 45).Reshape(70, 45);
        var tt = t.Transpose();
        for (int i = 0; i < 70; i++)
            for (int j = 0; j < 45; j++)
                Assert.Equal(t[i, j], tt[j, i]);
        Assert.Equal(t.ToArray(), tt.Transpose().ToArray());
    }

    [Fact]
    public void Transpose_of_a_non_matrix_names_its_shape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 3, 4).Transpose());
        Assert.Contains("(2, 3, 4)", e.Message);
    }

    [Fact]
    public void Rows_slices_along_the_first_dimension()
    {
        var t = Tensor.Arange(12).Reshape(4, 3);
        var r = t.Rows(1, 2);
        Assert.Equal([2, 3], r.ShapeArray());
        Assert.Equal([3f, 4f, 5f, 6f, 7f, 8f], r.ToArray());
        Assert.Equal(0, t.Rows(4, 0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Rows(-1, 1));
    }

    [Fact]
    public void Rows_with_a_count_so_large_that_start_plus_count_overflows_is_out_of_range()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Arange(4).Rows(1, int.MaxValue));
        Assert.Contains("(4,)", e.Message);
    }

    [Fact]
    public void SelectRows_gathers_rows_in_the_given_order_and_rejects_a_bad_index()
    {
        var t = Tensor.Arange(6).Reshape(3, 2);
        Assert.Equal([4f, 5f, 0f, 1f, 4f, 5f], t.SelectRows([2, 0, 2]).ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t.SelectRows([3]));
        Assert.Contains("(3, 2)", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]   // rows that end mid cache line
    [InlineData(784)]
    public void SelectRows_copies_every_element_of_many_rows_of_any_width(int width)
    {
        var t = Tensor.Arange(500 * width).Reshape(500, width);
        var rng = new Random(3);
        int[] idx = [499, 0, .. Enumerable.Range(0, 97).Select(_ => rng.Next(500)), 499, 1, 498];
        var got = t.SelectRows(idx);
        Assert.Equal([idx.Length, width], got.ShapeArray());
        var d = got.AsSpan();
        for (int i = 0; i < idx.Length; i++)
            for (int j = 0; j < width; j++)
                Assert.Equal((float)(idx[i] * width + j), d[i * width + j]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.SelectRows([.. idx, 500]));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.SelectRows([-1, .. idx]));
    }

    [Fact]
    public void ConcatRows_joins_along_the_first_dimension_and_rejects_mismatched_columns()
    {
        var a = Tensor.Arange(4).Reshape(2, 2);
        var b = Tensor.FromArray([9, 8], 1, 2);
        var c = Tensor.ConcatRows([a, b]);
        Assert.Equal([3, 2], c.ShapeArray());
        Assert.Equal([0f, 1f, 2f, 3f, 9f, 8f], c.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Tensor.ConcatRows([a, Tensor.Zeros(1, 3)]));
        Assert.Contains("(2, 2)", e.Message);
        Assert.Contains("(1, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.ConcatRows([]));
    }
}
