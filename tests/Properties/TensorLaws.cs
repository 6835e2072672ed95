using FsCheck;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>Broadcasting, its adjoint, matrix products and axis reductions against index-by-index references.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 300)]
public class TensorLaws
{
    /// <summary>out[idx] = op(a[idx mapped into a], b[idx mapped into b]) by explicit index arithmetic.</summary>
    private static float[] NaiveBroadcast(Tensor a, Tensor b, int[] outShape, Func<float, float, float> op)
    {
        int rank = outShape.Length;
        var result = new float[outShape.Aggregate(1, (x, y) => x * y)];
        var idx = new int[rank];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % outShape[d]; rem /= outShape[d]; }
            result[flat] = op(a.GetValue(Project(idx, a.ShapeArray())), b.GetValue(Project(idx, b.ShapeArray())));
        }
        return result;
    }

    private static int[] Project(int[] outIdx, int[] shape)
    {
        var i = new int[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            int o = outIdx[outIdx.Length - shape.Length + d];
            i[d] = shape[d] == 1 ? 0 : o;
        }
        return i;
    }

    private static void AssertSameBits(float[] expected, Tensor actual, string what)
    {
        var a = actual.AsSpan();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(a[i]))
                Assert.Fail($"{what}[flat {i}]: {expected[i]:R} vs {a[i]:R}");
    }

    [Property]
    public void Binary_operations_broadcast_like_index_arithmetic(BroadcastCase c)
    {
        int[] shape = Broadcast.Shapes(c.A.Shape, c.B.Shape);
        var sum = c.A + c.B;
        Assert.Equal(shape, sum.ShapeArray());
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x + y), sum, "+");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x - y), c.A - c.B, "−");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x * y), c.A * c.B, "×");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x / y), c.A / c.B, "÷");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x > y ? 1f : 0f), c.A.Gt(c.B), ">");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x <= y ? 1f : 0f), c.A.Le(c.B), "≤");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, (x, y) => x == y ? 1f : 0f), c.A.Eq(c.B), "==");
        AssertSameBits(NaiveBroadcast(c.A, c.B, shape, MathF.Max), c.A.Maximum(c.B), "maximum");
    }

    [Property]
    public void Broadcasting_is_symmetric_for_addition_and_multiplication(BroadcastCase c)
    {
        Assert.Equal((c.A + c.B).ToArray(), (c.B + c.A).ToArray());
        Assert.Equal((c.A * c.B).ToArray(), (c.B * c.A).ToArray());
    }

    [Property]
    public void SumTo_is_the_adjoint_of_broadcasting(BroadcastCase c)
    {
        // ⟨broadcast(a), v⟩ = ⟨a, SumTo(v, shape(a))⟩ with v = b broadcast to the common shape.
        int[] shape = Broadcast.Shapes(c.A.Shape, c.B.Shape);
        var v = c.B + Tensor.Zeros(shape);
        var ba = c.A + Tensor.Zeros(shape);
        var summed = Broadcast.SumTo(v, c.A.Shape);
        Assert.Equal(c.A.ShapeArray(), summed.ShapeArray());
        double lhs = Reference.Dot(ba, v), rhs = Reference.Dot(c.A, summed);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-5 * (1 + Reference.AbsDot(ba, v)), $"{lhs} vs {rhs}");
    }

    [Property]
    public void MatMul_with_any_transpose_flags_equals_the_triple_loop(MatMulCase c)
    {
        var got = Ops.MatMul(c.A, c.B, c.TransposeA, c.TransposeB);
        Reference.AssertClose(Reference.MatMul(c.A, c.B, c.TransposeA, c.TransposeB), got, 1e-5, 1e-4, "C");
        var plain = Ops.MatMul(c.TransposeA ? c.A.Transpose() : c.A, c.TransposeB ? c.B.Transpose() : c.B);
        Reference.AssertClose(plain, got, 1e-5, 1e-4, "C vs materialized transpose");
    }

    [Property]
    public void Sum_mean_max_and_std_along_each_axis_match_a_loop(BroadcastCase c)
    {
        var t = c.A;
        int[] shape = t.ShapeArray();
        for (int axis = 0; axis < t.Rank; axis++)
        {
            var sum = t.Sum(axis, keepDim: true);
            var mean = t.Mean(axis, keepDim: true);
            var max = t.Max(axis, keepDim: true);
            var std = t.Std(axis, keepDim: true);
            var argmax = t.ArgMax(axis, keepDim: true);
            int[] outShape = (int[])shape.Clone();
            outShape[axis] = 1;
            Assert.Equal(outShape, sum.ShapeArray());
            Assert.Equal(shape.Where((_, d) => d != axis), t.Sum(axis).ShapeArray());
            int len = shape[axis];
            for (int flat = 0; flat < sum.Length; flat++)
            {
                int[] idx = new int[t.Rank];
                int rem = flat;
                for (int d = t.Rank - 1; d >= 0; d--) { idx[d] = rem % outShape[d]; rem /= outShape[d]; }
                double s = 0, ss = 0;
                float mx = float.NegativeInfinity;
                int arg = 0;
                for (int l = 0; l < len; l++)
                {
                    idx[axis] = l;
                    float v = t.GetValue(idx);
                    s += v;
                    if (v > mx) { mx = v; arg = l; }
                }
                double m = s / len;
                for (int l = 0; l < len; l++) { idx[axis] = l; ss += (t.GetValue(idx) - m) * (t.GetValue(idx) - m); }
                Assert.Equal(s, sum.AsSpan()[flat], 1e-4);
                Assert.Equal(m, mean.AsSpan()[flat], 1e-5);
                Assert.Equal(mx, max.AsSpan()[flat]);
                Assert.Equal(arg, argmax.AsSpan()[flat]);
                if (len > 1) Assert.Equal(Math.Sqrt(ss / (len - 1)), std.AsSpan()[flat], 1e-5);
                else Assert.True(float.IsNaN(std.AsSpan()[flat]));
            }
        }
    }

    [Property]
    public void Reshape_squeeze_and_unsqueeze_keep_the_elements_in_order(BroadcastCase c)
    {
        var t = c.A;
        Assert.Equal(t.ToArray(), t.Reshape(-1).ToArray());
        Assert.Equal(t.ShapeArray(), t.Reshape(-1).Reshape(t.ShapeArray()).ShapeArray());
        for (int d = 0; d <= t.Rank; d++)
        {
            var u = t.Unsqueeze(d);
            Assert.Equal(t.Rank + 1, u.Rank);
            Assert.Equal(1, u.Size(d));
            Assert.Equal(t.ShapeArray(), u.Squeeze(d).ShapeArray());
        }
    }

    [Property]
    public void Transposing_twice_is_the_identity(MatMulCase c)
    {
        Assert.Equal(c.A.ToArray(), c.A.Transpose().Transpose().ToArray());
        var t = c.A.Transpose();
        for (int i = 0; i < c.A.Size(0); i++)
            for (int j = 0; j < c.A.Size(1); j++) Assert.Equal(c.A[i, j], t[j, i]);
    }
}
