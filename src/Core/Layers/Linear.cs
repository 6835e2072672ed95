namespace Mlp;

/// <summary>Fully connected layer: <c>y = x·w + b</c>. PyTorch: <c>nn.Linear</c> / <c>F.linear</c>.</summary>
/// <remarks>Weights are <b>(in, out)</b>, as in the lesson; PyTorch stores the transpose, (out, in).</remarks>
public static class Linear
{
    /// <summary>The gradients of a linear layer with respect to its three inputs.</summary>
    /// <param name="Dx">(n, in): <c>dy·wᵀ</c>.</param>
    /// <param name="Dw">(in, out): <c>xᵀ·dy</c>.</param>
    /// <param name="Db">(out): <c>Σ_rows dy</c>.</param>
    public readonly record struct Grads(Tensor Dx, Tensor Dw, Tensor Db);

    /// <summary>Computes <c>x·w + b</c> and its backward closure.</summary>
    /// <param name="x">(n, in) inputs, one row per example.</param>
    /// <param name="w">(in, out) weight.</param>
    /// <param name="b">(out) bias.</param>
    /// <returns>The (n, out) output and <c>dy ↦ (dx, dw, db)</c>.</returns>
    /// <exception cref="ArgumentException">
    /// The shapes do not fit; the message names all three. The backward closure throws it too when <c>dy</c> is not (n, out).
    /// </exception>
    public static Vjp<Grads> Forward(Tensor x, Tensor w, Tensor b)
    {
        var (y, back) = Forward(x, w, b, needsDx: true);
        return new(y, dy => { var g = back(dy); return new Grads(g[0]!, g[1]!, g[2]!); });
    }

    /// <summary>
    /// Computes <c>x·w + b</c> and its backward closure in <see cref="Tape.Record"/>'s order, <c>dy ↦ [dx, dw, db]</c>;
    /// with <paramref name="needsDx"/> false the closure skips <c>dx = dy·wᵀ</c> (a third of the work) and returns null
    /// in its place, as for a network's first layer, whose input needs no gradient. This is the one linear backward:
    /// <see cref="Forward(Tensor, Tensor, Tensor)"/>, the tape and every model call it.
    /// </summary>
    /// <param name="x">(n, in) inputs, one row per example.</param>
    /// <param name="w">(in, out) weight.</param>
    /// <param name="b">(out) bias.</param>
    /// <param name="needsDx">Whether the backward computes the input gradient.</param>
    /// <exception cref="ArgumentException">
    /// The shapes do not fit; the message names all three. The backward closure throws it too when <c>dy</c> is not (n, out).
    /// </exception>
    public static Vjp<Tensor?[]> Forward(Tensor x, Tensor w, Tensor b, bool needsDx)
    {
        CheckShapes(x, w, b);
        int rows = x.Dims[0], outs = w.Dims[1];
        var yData = Storage.Uninitialized(checked(rows * outs));
        Kernels.Gemm.Multiply(false, false, rows, outs, x.Dims[1], x.Data, w.Data, yData, b.Data); // y = x·w + b, the bias added in the GEMM's store
        Tensor y = new(yData, [rows, outs]);
        return new(y, dy =>
        {
            ArgumentNullException.ThrowIfNull(dy);
            if (dy.Rank != 2 || dy.Dims[0] != rows || dy.Dims[1] != outs)
                throw new ArgumentException($"Linear backward: dy must be shaped like the output ({rows}, {outs}); got {Tensor.ShapeString(dy.Dims)}.", nameof(dy));
            return Backward(x, w, dy.Data, Ops.SumRows(dy), needsDx);                    // db = Σ_rows dy
        });
    }

    /// <summary>
    /// The products of the linear backward, <c>[dx = dy·wᵀ (or null), dw = xᵀ·dy, db]</c>, for a <c>dy</c> given as (n, out)
    /// data and a bias gradient the caller already summed: <see cref="Forward(Tensor, Tensor, Tensor, bool)"/> sums it from dy,
    /// <see cref="Ops.LinearReluBackward"/> in the same pass that applies the relu mask.
    /// </summary>
    internal static Tensor?[] Backward(Tensor x, Tensor w, ReadOnlySpan<float> dy, Tensor db, bool needsDx)
    {
        int rows = x.Dims[0], ins = x.Dims[1], outs = w.Dims[1];
        Tensor? dx = null;
        if (needsDx)
        {
            var dxData = Storage.Uninitialized(checked(rows * ins));
            Kernels.Gemm.Multiply(false, true, rows, ins, outs, dy, w.Data, dxData, default);   // dx = dy·wᵀ
            dx = new Tensor(dxData, [rows, ins]);
        }
        var dw = Storage.Uninitialized(checked(ins * outs));
        Kernels.Gemm.Multiply(true, false, ins, outs, rows, x.Data, dy, dw, default);          // dw = xᵀ·dy
        return [dx, new Tensor(dw, [ins, outs]), db];
    }

    internal static void CheckShapes(Tensor x, Tensor w, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(b);
        if (x.Rank != 2 || w.Rank != 2 || b.Rank != 1 || x.Dims[1] != w.Dims[0] || b.Dims[0] != w.Dims[1])
            throw new ArgumentException(
                $"Linear needs x (n, in), w (in, out), b (out); got x {Tensor.ShapeString(x.Dims)}, w {Tensor.ShapeString(w.Dims)}, b {Tensor.ShapeString(b.Dims)}.");
    }
}
