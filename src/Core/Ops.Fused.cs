using System.Buffers;
using Mlp.Kernels;

namespace Mlp;

/// <summary>The fused ops a linear layer followed by a relu runs: one pass where the plain layers take two or three.</summary>
public static partial class Ops
{
    /// <summary>
    /// <c>relu(x·w + b) + shift</c> with the bias, the clamp and the shift applied in the matrix product's store (no separate
    /// pass over the (n, out) output). PyTorch: <c>F.relu(x @ w + b) + shift</c>.
    /// </summary>
    /// <param name="x">(n, in).</param>
    /// <param name="w">(in, out).</param>
    /// <param name="b">(out).</param>
    /// <param name="shift">Added after the clamp (the lesson's −0.5, or 0 for a plain relu).</param>
    /// <param name="keepPreActivation">Also store <c>x·w + b</c>, which the backward needs when <paramref name="shift"/> is not 0
    /// (with shift 0, the output itself gives the mask: output &gt; 0 exactly where the pre-activation is).</param>
    /// <returns>The output and, when asked, the pre-activation; both bit-identical to <c>Linear</c> then <c>ShiftedRelu</c>.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names all three.</exception>
    public static (Tensor Output, Tensor? PreActivation) LinearRelu(Tensor x, Tensor w, Tensor b, float shift = 0f, bool keepPreActivation = false)
    {
        Linear.CheckShapes(x, w, b);
        int rows = x.Dims[0], outs = w.Dims[1];
        var y = Storage.Uninitialized(checked(rows * outs));
        float[]? pre = keepPreActivation ? Storage.Uninitialized(rows * outs) : null;
        Gemm.Multiply(false, false, rows, outs, x.Dims[1], x.Data, w.Data, y, b.Data, pre, relu: true, shift, KernelOptions.Default);
        return (new Tensor(y, [rows, outs]), pre is null ? null : new Tensor(pre, [rows, outs]));
    }

    /// <summary>
    /// The backward of <c>relu(x·w + b) + shift</c> given <c>dy</c>, the gradient of its output: the relu mask is applied to dy
    /// and the bias gradient summed in the same pass (into a pooled scratch buffer, not a new tensor), then the linear layer's
    /// own backward products, <c>dw = xᵀ·dl</c> and, when asked, <c>dx = dl·wᵀ</c>.
    /// </summary>
    /// <param name="x">(n, in), the layer's input.</param>
    /// <param name="w">(in, out).</param>
    /// <param name="mask">(n, out): the pre-activation, or the relu output when the shift is 0; the gradient flows where it is &gt; 0.</param>
    /// <param name="dy">(n, out).</param>
    /// <param name="inputGradient">Compute dx (a first layer does not need it).</param>
    /// <returns>dx (null unless asked), dw (in, out) and db (out), bit-identical to the unfused relu and linear backwards.</returns>
    /// <exception cref="ArgumentException">A shape does not fit; the message names it.</exception>
    public static (Tensor? Dx, Tensor Dw, Tensor Db) LinearReluBackward(Tensor x, Tensor w, Tensor mask, Tensor dy, bool inputGradient)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(dy);
        if (x.Rank != 2 || w.Rank != 2 || x.Dims[1] != w.Dims[0])
            throw new ArgumentException($"LinearReluBackward needs x (n, in) and w (in, out); got x {Tensor.ShapeString(x.Dims)}, w {Tensor.ShapeString(w.Dims)}.");
        int rows = x.Dims[0], outs = w.Dims[1];
        if (mask.Rank != 2 || dy.Rank != 2 || mask.Dims[0] != rows || mask.Dims[1] != outs || dy.Dims[0] != rows || dy.Dims[1] != outs)
            throw new ArgumentException(
                $"LinearReluBackward: mask and dy must be ({rows}, {outs}); got mask {Tensor.ShapeString(mask.Dims)}, dy {Tensor.ShapeString(dy.Dims)}.");
        int size = rows * outs;
        float[] dl = ArrayPool<float>.Shared.Rent(Math.Max(1, size));
        double[] sums = ArrayPool<double>.Shared.Rent(Math.Max(1, outs));
        try
        {
            Array.Clear(sums, 0, outs);
            if (size > 0) ReluKernels.BackwardSumRows(mask.Data, dy.Data, dl.AsSpan(0, size), sums.AsSpan(0, outs), outs);
            var db = new float[outs];
            for (int j = 0; j < outs; j++) db[j] = (float)sums[j];
            var g = Linear.Backward(x, w, dl.AsSpan(0, size), new Tensor(db, [outs]), inputGradient); // the one linear backward
            return (g[0], g[1]!, g[2]!);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dl);
            ArrayPool<double>.Shared.Return(sums);
        }
    }
}
