using Mlp.Kernels;

namespace Mlp;

/// <summary>
/// The one broadcasting driver every binary element-wise tensor op goes through. It lives above the kernels: it allocates
/// and returns tensors and walks broadcast shapes, and calls the span kernels of <see cref="IBinaryOp"/>, which take spans
/// and return nothing.
/// </summary>
internal static class BinaryDriver
{
    public static Tensor Run<TOp>(Tensor a, Tensor b) where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.SameShape(b))
        {
            var same = Storage.Uninitialized(a.Length); // Apply writes every element
            TOp.Apply(a.Data, b.Data, same);
            return new Tensor(same, a.Dims);
        }

        int[] outDims = Broadcast.Shapes(a.Dims, b.Dims);
        var d = Tensor.AllocateFor(outDims);
        if (d.Length == 0) return new Tensor(d, outDims);

        if (b.Length == 1 && outDims.AsSpan().SequenceEqual(a.Dims)) { TOp.Apply(a.Data, b.Data[0], d); return new Tensor(d, outDims); }
        if (a.Length == 1 && outDims.AsSpan().SequenceEqual(b.Dims)) { TOp.Apply(a.Data[0], b.Data, d); return new Tensor(d, outDims); }

        // Row broadcast, e.g. (n, m) + (m): b repeats along the leading dimensions of a.
        if (outDims.AsSpan().SequenceEqual(a.Dims) && IsTrailingBlock(b.Dims, a.Dims))
        {
            int len = b.Length;
            for (int off = 0; off < d.Length; off += len)
                TOp.Apply(a.Data.AsSpan(off, len), b.Data, d.AsSpan(off, len));
            return new Tensor(d, outDims);
        }
        if (outDims.AsSpan().SequenceEqual(b.Dims) && IsTrailingBlock(a.Dims, b.Dims))
        {
            int len = a.Length;
            for (int off = 0; off < d.Length; off += len)
                TOp.Apply(a.Data, b.Data.AsSpan(off, len), d.AsSpan(off, len));
            return new Tensor(d, outDims);
        }

        General<TOp>(a, b, outDims, d);
        return new Tensor(d, outDims);
    }

    /// <summary>True when <paramref name="small"/> (ignoring leading 1s) equals the trailing dimensions of <paramref name="big"/>.</summary>
    private static bool IsTrailingBlock(int[] small, int[] big)
    {
        int s = 0;
        while (s < small.Length && small[s] == 1) s++;
        int n = small.Length - s;
        if (n > big.Length) return false;
        return small.AsSpan(s).SequenceEqual(big.AsSpan(big.Length - n));
    }

    /// <summary>Odometer over all but the last dimension; the innermost run uses the span kernels.</summary>
    private static void General<TOp>(Tensor a, Tensor b, int[] outDims, float[] d) where TOp : IBinaryOp
    {
        int rank = outDims.Length;
        int[] sa = Broadcast.StridesFor(a.Dims, outDims), sb = Broadcast.StridesFor(b.Dims, outDims);
        int inner = outDims[rank - 1];
        int sal = sa[rank - 1], sbl = sb[rank - 1];
        var idx = new int[rank];
        int outer = d.Length / Math.Max(inner, 1);
        int offA = 0, offB = 0;
        for (int o = 0; o < outer; o++)
        {
            var dst = d.AsSpan(o * inner, inner);
            if (sal == 1 && sbl == 1) TOp.Apply(a.Data.AsSpan(offA, inner), b.Data.AsSpan(offB, inner), dst);
            else if (sal == 0 && sbl == 1) TOp.Apply(a.Data[offA], b.Data.AsSpan(offB, inner), dst);
            else if (sal == 1 && sbl == 0) TOp.Apply(a.Data.AsSpan(offA, inner), b.Data[offB], dst);
            else dst.Fill(TOp.Apply(a.Data[offA], b.Data[offB]));

            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++;
                offA += sa[k];
                offB += sb[k];
                if (idx[k] < outDims[k]) break;
                offA -= sa[k] * outDims[k];
                offB -= sb[k] * outDims[k];
                idx[k] = 0;
            }
        }
    }
}
