namespace Mlp.Tests.Core;

/// <summary>Broadcast shapes and its adjoint, SumTo (src/Core/Broadcast.cs).</summary>
public class BroadcastTests
{
    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 3 }, new[] { 3, 3 })]
    [InlineData(new[] { 5, 4 }, new[] { 4 }, new[] { 5, 4 })]
    [InlineData(new[] { 5, 4 }, new int[0], new[] { 5, 4 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 4, 1 }, new[] { 2, 4, 3 })]
    [InlineData(new[] { 1 }, new[] { 0 }, new[] { 0 })]
    [InlineData(new int[0], new int[0], new int[0])]
    public void Shapes_align_at_the_right_and_stretch_ones(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(expected, Broadcast.Shapes(a, b));
        Assert.Equal(expected, Broadcast.Shapes(b, a));
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_name_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Broadcast.Shapes([5, 4], [5]));
        Assert.Contains("(5, 4)", e.Message);
        Assert.Contains("(5,)", e.Message);
        Assert.Contains("4 vs 5", e.Message);
    }

    [Fact]
    public void SumTo_sums_stretched_and_leading_dimensions()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        Assert.Equal([3f, 5f, 7f], Broadcast.SumTo(t, [3]).ToArray());
        var col = Broadcast.SumTo(t, [2, 1]);
        Assert.Equal([2, 1], col.ShapeArray());
        Assert.Equal([3f, 12f], col.ToArray());
        Assert.Equal(15f, Broadcast.SumTo(t, []).ToScalar());
        Assert.Equal([1, 3], Broadcast.SumTo(t, [1, 3]).ShapeArray());
        Assert.Same(t, Broadcast.SumTo(t, [2, 3]));
    }

    [Fact]
    public void SumTo_is_the_adjoint_of_broadcasting()
    {
        // ⟨broadcast(u), v⟩ = ⟨u, SumTo(v)⟩ for u of shape (3,1), v of shape (2,3,4).
        var u = Tensor.FromArray([1, -2, 3], 3, 1);
        var v = Tensor.Arange(24).Reshape(2, 3, 4) - 7f;
        var bu = u + Tensor.Zeros(2, 3, 4);
        double lhs = (bu * v).Sum().ToScalar();
        double rhs = (u * Broadcast.SumTo(v, [3, 1])).Sum().ToScalar();
        Assert.Equal(lhs, rhs, 1e-9);
    }

    [Fact]
    public void SumTo_a_shape_that_does_not_broadcast_up_names_both()
    {
        var e = Assert.Throws<ArgumentException>(() => Broadcast.SumTo(Tensor.Zeros(2, 3), [4, 3]));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => Broadcast.SumTo(Tensor.Zeros(3), [2, 3]));
    }
}
