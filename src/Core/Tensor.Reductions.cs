using System.Numerics.Tensors;

namespace Mlp;

public sealed partial class Tensor
{
    // Reductions accumulate in double, in one fixed order that does not depend on the instruction set: the same
    // data gives the same bits on AVX-512, AVX2 and scalar machines (TensorPrimitives.Sum rounds differently per
    // vector width, and a mean sets the input normalization and so every trained weight). Four independent
    // accumulators over a fixed stride keep the loop fast without vectors; the JIT does not reorder double adds.
    internal static double SumDouble(ReadOnlySpan<float> x)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= x.Length; i += 4)
        {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < x.Length; i++) s0 += x[i];
        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>The sum of all elements, as a scalar tensor (PyTorch: <c>sum()</c>).</summary>
    public Tensor Sum() => Scalar((float)SumDouble(Data));

    /// <summary>The mean of all elements (PyTorch: <c>mean()</c>); NaN for an empty tensor.</summary>
    public Tensor Mean() => Scalar((float)(SumDouble(Data) / Length));

    /// <summary>
    /// The standard deviation of all elements with Bessel's correction, <c>√(Σ(x−x̄)²/(n−1))</c>
    /// (PyTorch: <c>std()</c>). NaN for fewer than two elements.
    /// </summary>
    public Tensor Std() => Scalar((float)Math.Sqrt(VarianceDouble(Data)));

    internal static double VarianceDouble(ReadOnlySpan<float> x)
    {
        if (x.Length < 2) return double.NaN;
        double mean = SumDouble(x) / x.Length;
        double ss = 0;
        foreach (float v in x) { double d = v - mean; ss += d * d; }
        return ss / (x.Length - 1);
    }

    /// <summary>The largest element (PyTorch: <c>max()</c>); NaN if any element is NaN.</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public Tensor Max()
    {
        if (Length == 0) throw new InvalidOperationException("Max of an empty tensor.");
        return Scalar(TensorPrimitives.Max(Data));
    }

    /// <summary>The smallest element (PyTorch: <c>min()</c>); NaN if any element is NaN.</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public Tensor Min()
    {
        if (Length == 0) throw new InvalidOperationException("Min of an empty tensor.");
        return Scalar(TensorPrimitives.Min(Data));
    }

    /// <summary>The flat index of the first largest element (PyTorch: <c>argmax()</c>).</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public int ArgMax()
    {
        if (Length == 0) throw new InvalidOperationException("ArgMax of an empty tensor.");
        return TensorPrimitives.IndexOfMax(Data);
    }

    /// <summary>Sums along <paramref name="axis"/>, dropping it (PyTorch: <c>sum(axis)</c>).</summary>
    public Tensor Sum(int axis) => Sum(axis, keepDim: false);

    /// <summary>Sums along <paramref name="axis"/>; keeps it as size 1 when <paramref name="keepDim"/> (PyTorch: <c>sum(axis, keepdim)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis does not exist.</exception>
    public Tensor Sum(int axis, bool keepDim) => ReduceAxis(axis, keepDim, ReduceKind.Sum);

    /// <summary>Means along <paramref name="axis"/>, dropping it (PyTorch: <c>mean(axis)</c>).</summary>
    public Tensor Mean(int axis) => Mean(axis, keepDim: false);

    /// <summary>Means along <paramref name="axis"/> (PyTorch: <c>mean(axis, keepdim)</c>).</summary>
    public Tensor Mean(int axis, bool keepDim) => ReduceAxis(axis, keepDim, ReduceKind.Mean);

    /// <summary>Bessel-corrected standard deviation along <paramref name="axis"/> (PyTorch: <c>std(axis)</c>).</summary>
    public Tensor Std(int axis) => Std(axis, keepDim: false);

    /// <summary>Bessel-corrected standard deviation along <paramref name="axis"/> (PyTorch: <c>std(axis, keepdim)</c>).</summary>
    public Tensor Std(int axis, bool keepDim) => ReduceAxis(axis, keepDim, ReduceKind.Std);

    /// <summary>Maxima along <paramref name="axis"/>, dropping it (PyTorch: <c>amax(axis)</c>).</summary>
    public Tensor Max(int axis) => Max(axis, keepDim: false);

    /// <summary>Maxima along <paramref name="axis"/> (PyTorch: <c>amax(axis, keepdim)</c>).</summary>
    public Tensor Max(int axis, bool keepDim) => ReduceAxis(axis, keepDim, ReduceKind.Max);

    /// <summary>Indices (as floats) of the first maximum along <paramref name="axis"/> (PyTorch: <c>argmax(axis)</c>).</summary>
    public Tensor ArgMax(int axis) => ArgMax(axis, keepDim: false);

    /// <summary>Indices (as floats) of the first maximum along <paramref name="axis"/> (PyTorch: <c>argmax(axis, keepdim)</c>).</summary>
    public Tensor ArgMax(int axis, bool keepDim) => ReduceAxis(axis, keepDim, ReduceKind.ArgMax);

    /// <summary>For a 2-D tensor, the column index of each row's first maximum, e.g. the predicted class of each row of logits.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not 2-D.</exception>
    public int[] ArgMaxRows()
    {
        if (Rank != 2) throw new InvalidOperationException($"ArgMaxRows needs a 2-D tensor; got shape {ShapeString(Dims)}.");
        int n = Dims[0], c = Dims[1];
        var r = new int[n];
        if (c == 0) return r;
        for (int i = 0; i < n; i++) r[i] = TensorPrimitives.IndexOfMax(Data.AsSpan(i * c, c));
        return r;
    }

    private enum ReduceKind { Sum, Mean, Std, Max, ArgMax }

    private Tensor ReduceAxis(int axis, bool keepDim, ReduceKind kind)
    {
        int ax = NormalizeDim(axis, Rank, nameof(axis));
        int len = Dims[ax];
        int outer = 1, inner = 1;
        for (int i = 0; i < ax; i++) outer *= Dims[i];
        for (int i = ax + 1; i < Rank; i++) inner *= Dims[i];
        if (len == 0 && kind is ReduceKind.Max or ReduceKind.ArgMax)
            throw new InvalidOperationException($"{kind} along an empty dimension {axis} of shape {ShapeString(Dims)}.");

        int[] outDims = keepDim ? [.. Dims[..ax], 1, .. Dims[(ax + 1)..]] : [.. Dims[..ax], .. Dims[(ax + 1)..]];
        var d = Storage.Zeroed(outer * inner);
        var acc = new double[inner];
        var acc2 = new double[inner];
        for (int o = 0; o < outer; o++)
        {
            int baseOff = o * len * inner;
            var dst = d.AsSpan(o * inner, inner);
            switch (kind)
            {
                case ReduceKind.Sum or ReduceKind.Mean or ReduceKind.Std:
                    if (inner == 1)
                    {
                        var run = Data.AsSpan(baseOff, len);
                        double s = SumDouble(run);
                        dst[0] = kind switch
                        {
                            ReduceKind.Sum => (float)s,
                            ReduceKind.Mean => (float)(s / len),
                            _ => (float)Math.Sqrt(VarianceDouble(run)),
                        };
                        break;
                    }
                    Array.Clear(acc);
                    for (int l = 0; l < len; l++)
                    {
                        var row = Data.AsSpan(baseOff + l * inner, inner);
                        for (int j = 0; j < inner; j++) acc[j] += row[j];
                    }
                    if (kind == ReduceKind.Std)
                    {
                        Array.Clear(acc2);
                        for (int l = 0; l < len; l++)
                        {
                            var row = Data.AsSpan(baseOff + l * inner, inner);
                            for (int j = 0; j < inner; j++) { double dv = row[j] - acc[j] / len; acc2[j] += dv * dv; }
                        }
                        for (int j = 0; j < inner; j++) dst[j] = len < 2 ? float.NaN : (float)Math.Sqrt(acc2[j] / (len - 1));
                    }
                    else
                        for (int j = 0; j < inner; j++) dst[j] = kind == ReduceKind.Sum ? (float)acc[j] : (float)(acc[j] / len);
                    break;
                case ReduceKind.Max:
                    Data.AsSpan(baseOff, inner).CopyTo(dst);
                    for (int l = 1; l < len; l++) TensorPrimitives.Max(dst, Data.AsSpan(baseOff + l * inner, inner), dst);
                    break;
                case ReduceKind.ArgMax:
                    for (int j = 0; j < inner; j++)
                    {
                        int best = 0;
                        float bv = Data[baseOff + j];
                        for (int l = 1; l < len; l++)
                        {
                            float v = Data[baseOff + l * inner + j];
                            if (v > bv || (float.IsNaN(v) && !float.IsNaN(bv))) { bv = v; best = l; }
                        }
                        dst[j] = best;
                    }
                    break;
            }
        }
        return new Tensor(d, outDims);
    }
}
