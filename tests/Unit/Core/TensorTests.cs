namespace Mlp.Tests.Core;

/// <summary>Factories, indexers, element access and comparisons of <see cref="Tensor"/> (src/Core/Tensor.cs).</summary>
public class TensorTests
{
    [Fact]
    public void FromArray_keeps_values_in_row_major_order_and_the_shape()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal([2, 3], t.ShapeArray());
        Assert.Equal(2, t.Rank);
        Assert.Equal(6, t.Length);
        Assert.Equal(3f, t[0, 2]);
        Assert.Equal(4f, t[1, 0]);
        Assert.Equal(6f, t[1, 2]);
    }

    [Fact]
    public void FromArray_copies_so_later_writes_to_the_source_array_do_not_change_the_tensor()
    {
        float[] source = [1, 2, 3];
        var t = Tensor.FromArray(source, 3);
        source[0] = 99;
        Assert.Equal(1f, t[0]);
    }

    [Fact]
    public void ToArray_returns_a_copy_that_cannot_change_the_tensor()
    {
        var t = Tensor.FromArray([1, 2, 3], 3);
        var copy = t.ToArray();
        copy[1] = 99;
        Assert.Equal(2f, t[1]);
    }

    [Fact]
    public void FromArray_with_a_wrong_length_names_the_count_and_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1, 2, 3, 4, 5], 2, 3));
        Assert.Contains("5 values", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void A_negative_dimension_is_rejected_with_the_shape_in_the_message()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
        Assert.Contains("(2, -1)", e.Message);
    }

    [Fact]
    public void A_shape_with_more_elements_than_an_array_can_hold_is_rejected_before_allocating()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(100000, 100000));
        Assert.Contains("(100000, 100000)", e.Message);
    }

    [Fact]
    public void Scalar_is_rank_0_with_one_element()
    {
        var s = Tensor.Scalar(2.5f);
        Assert.Equal(0, s.Rank);
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.Length);
        Assert.Equal(2.5f, s.ToScalar());
        Assert.Equal(2.5f, s.GetValue([]));
    }

    [Fact]
    public void FromArray_with_an_empty_shape_makes_a_scalar()
    {
        var s = Tensor.FromArray([7f]);
        Assert.Equal(0, s.Rank);
        Assert.Equal(7f, s.ToScalar());
    }

    [Fact]
    public void Zeros_ones_and_full_fill_every_element()
    {
        Assert.All(Tensor.Zeros(2, 3).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        var f = Tensor.Full([3, 1], -1.5f);
        Assert.Equal([3, 1], f.ShapeArray());
        Assert.Equal([-1.5f, -1.5f, -1.5f], f.ToArray());
        Assert.Equal([2, 3], Tensor.ZerosLike(Tensor.Ones(2, 3)).ShapeArray());
    }

    [Fact]
    public void Full_with_negative_zero_keeps_the_sign_bit_like_torch_full()
    {
        var f = Tensor.Full([3], -0f);
        Assert.All(f.ToArray(), v => Assert.True(float.IsNegative(v), "expected -0"));
    }

    [Fact]
    public void Zero_sized_dimensions_make_an_empty_tensor()
    {
        var t = Tensor.Zeros(0, 3);
        Assert.Equal(0, t.Length);
        Assert.Equal([0, 3], t.ShapeArray());
    }

    [Fact]
    public void FromRows_builds_a_matrix_and_rejects_ragged_rows_naming_the_row()
    {
        var t = Tensor.FromRows([[1, 2], [3, 4], [5, 6]]);
        Assert.Equal([3, 2], t.ShapeArray());
        Assert.Equal(5f, t[2, 0]);
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromRows([[1, 2], [3]]));
        Assert.Contains("Row 1", e.Message);
        var n = Assert.Throws<ArgumentException>(() => Tensor.FromRows([[1, 2], null!]));
        Assert.Contains("Row 1 is null", n.Message);
        Assert.Equal([0, 0], Tensor.FromRows([]).ShapeArray());
    }

    [Fact]
    public void FromVector_and_FromMemory_copy_their_input()
    {
        float[] a = [1, 2, 3, 4];
        var v = Tensor.FromVector(a);
        var m = Tensor.FromMemory(a.AsMemory(), [2, 2]);
        a[0] = 42;
        Assert.Equal([4], v.ShapeArray());
        Assert.Equal(1f, v[0]);
        Assert.Equal(1f, m[0, 0]);
        Assert.Throws<ArgumentException>(() => Tensor.FromMemory(a.AsMemory(), [3]));
    }

    [Fact]
    public void Create_lets_the_filler_write_a_zeroed_buffer_of_the_shape()
    {
        int seenLength = -1;
        bool startedZero = false;
        var t = Tensor.Create([2, 2], buf =>
        {
            seenLength = buf.Length;
            startedZero = !buf.ContainsAnyExcept(0f);
            for (int i = 0; i < buf.Length; i++) buf[i] = i * 10;
        });
        Assert.Equal(4, seenLength);
        Assert.True(startedZero);
        Assert.Equal([0f, 10f, 20f, 30f], t.ToArray());
    }

    [Fact]
    public void Arange_counts_from_zero()
    {
        Assert.Equal([0f, 1f, 2f, 3f, 4f], Tensor.Arange(5).ToArray());
        Assert.Equal(0, Tensor.Arange(0).Length);
    }

    [Fact]
    public void Indexers_of_rank_1_2_and_3_read_row_major_positions()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal(1 * 12 + 2 * 4 + 3, t[1, 2, 3]);
        Assert.Equal(7f, Tensor.Arange(8)[7]);
        Assert.Equal(1 * 12 + 0 * 4 + 2, t.GetValue([1, 0, 2]));
    }

    [Fact]
    public void Negative_indices_count_from_the_end()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        Assert.Equal(11f, t[-1, -1]);
        Assert.Equal(8f, t[-1, 0]);
        Assert.Equal(9f, Tensor.Arange(10)[-1]);
    }

    [Fact]
    public void An_index_outside_its_dimension_is_an_ArgumentOutOfRangeException_naming_the_shape()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t[2, 0]);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[0, -4]);
    }

    [Fact]
    public void An_index_of_the_wrong_rank_is_rejected_naming_the_shape()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t[1]);
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void Size_accepts_negative_dimensions_and_rejects_missing_ones()
    {
        var t = Tensor.Zeros(2, 3, 5);
        Assert.Equal(5, t.Size(-1));
        Assert.Equal(2, t.Size(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Size(3));
    }

    [Fact]
    public void ToScalar_of_a_multi_element_tensor_names_its_shape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 2).ToScalar());
        Assert.Contains("(2, 2)", e.Message);
        Assert.Equal(3f, Tensor.Full([1, 1], 3f).ToScalar());
    }

    [Fact]
    public void ShapeString_matches_pytorch_including_the_one_element_tuple_comma()
    {
        Assert.Equal("(50000, 784)", Tensor.ShapeString([50000, 784]));
        Assert.Equal("(5,)", Tensor.ShapeString([5]));
        Assert.Equal("()", Tensor.ShapeString([]));
    }

    [Fact]
    public void AllClose_uses_atol_plus_rtol_times_the_second_argument()
    {
        var a = Tensor.FromArray([100f, 1f], 2);
        var b = Tensor.FromArray([100.05f, 1f], 2);
        Assert.True(a.AllClose(b, rtol: 1e-3, atol: 0));      // 0.05 ≤ 1e-3·100.05
        Assert.False(a.AllClose(b, rtol: 1e-4, atol: 0));     // 0.05 > 1e-4·100.05
        Assert.True(a.AllClose(b, rtol: 0, atol: 0.06));
        Assert.False(a.AllClose(b, rtol: 0, atol: 0.04));
    }

    [Fact]
    public void AllClose_is_false_for_different_shapes_and_for_NaN()
    {
        Assert.False(Tensor.Zeros(2, 3).AllClose(Tensor.Zeros(3, 2)));
        var nan = Tensor.FromArray([float.NaN], 1);
        Assert.False(nan.AllClose(nan));
        Assert.True(Tensor.Ones(2).AllClose(Tensor.Ones(2)));
    }

    [Fact]
    public void MaxAbsDiff_is_the_largest_absolute_difference_and_NaN_when_either_side_has_NaN()
    {
        var a = Tensor.FromArray([1, 2, 3], 3);
        var b = Tensor.FromArray([1.5f, 2, 0], 3);
        Assert.Equal(3f, a.MaxAbsDiff(b));
        Assert.True(float.IsNaN(a.MaxAbsDiff(Tensor.FromArray([1, float.NaN, 3], 3))));
        var e = Assert.Throws<ArgumentException>(() => a.MaxAbsDiff(Tensor.Zeros(3, 1)));
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("(3, 1)", e.Message);
    }

    [Fact]
    public void AsSpan_and_AsMemory_expose_the_elements_in_order()
    {
        var t = Tensor.FromArray([4, 5, 6], 3);
        Assert.Equal([4f, 5f, 6f], t.AsSpan().ToArray());
        Assert.Equal([4f, 5f, 6f], t.AsMemory().ToArray());
    }
}
