namespace Mlp;

/// <summary>numpy / PyTorch broadcasting rules: shapes are aligned at the right; a dimension of 1 stretches.</summary>
public static class Broadcast
{
    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/> (PyTorch: <c>torch.broadcast_shapes</c>).</summary>
    /// <exception cref="ArgumentException">The shapes are not broadcastable; the message names both.</exception>
    public static int[] Shapes(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        int rank = Math.Max(a.Count, b.Count);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Count ? 1 : a[i - (rank - a.Count)];
            int db = i < rank - b.Count ? 1 : b[i - (rank - b.Count)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"Shapes {Tensor.ShapeString(a)} and {Tensor.ShapeString(b)} cannot be broadcast: dimension {i} is {da} vs {db}.");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides of <paramref name="dims"/> viewed at <paramref name="outDims"/>: 0 where the dimension is stretched.</summary>
    internal static int[] StridesFor(int[] dims, int[] outDims)
    {
        int rank = outDims.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int src = i - (rank - dims.Length);
            if (src < 0) { strides[i] = 0; continue; }
            strides[i] = dims[src] == 1 ? 0 : stride;
            stride *= dims[src];
        }
        return strides;
    }

    /// <summary>
    /// Sums <paramref name="t"/> down to <paramref name="shape"/>: the adjoint of broadcasting
    /// (tinygrad's <c>unbroadcast</c>). Used by the backward of every broadcasting op.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to the shape of <paramref name="t"/>.</exception>
    public static Tensor SumTo(Tensor t, IReadOnlyList<int> shape)
    {
        int[] target = [.. shape];
        if (t.Dims.AsSpan().SequenceEqual(target)) return t;
        int[] check = Shapes(t.Dims, target);
        if (!check.AsSpan().SequenceEqual(t.Dims))
            throw new ArgumentException($"SumTo: shape {Tensor.ShapeString(target)} does not broadcast to {Tensor.ShapeString(t.Dims)}.");
        Tensor r = t;
        int lead = t.Rank - target.Length;
        for (int i = 0; i < lead; i++) r = r.Sum(0, keepDim: false);
        for (int i = 0; i < target.Length; i++)
            if (target[i] == 1 && r.Dims[i] != 1) r = r.Sum(i, keepDim: true);
        return r;
    }
}
