namespace Mlp;

public sealed partial class Tape
{
    /// <summary>
    /// Records <see cref="Mlp.Linear.Forward(Tensor, Tensor, Tensor, bool)"/>: <c>x·w + b</c>, skipping <c>dx</c> when
    /// <paramref name="x"/> needs no gradient (<see cref="Node.RequiresGrad"/>).
    /// </summary>
    public Node Linear(Node x, Node w, Node b)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(b);
        var (y, back) = Mlp.Linear.Forward(x.Value, w.Value, b.Value, needsDx: x.RequiresGrad);
        return Record(y, [x, w, b], back);
    }

    /// <summary>
    /// Records a linear layer and the (shifted) relu after it as one node: <c>max(x·w + b, 0) + shift</c>, with the bias, clamp
    /// and shift applied in the matrix product's store (<see cref="Ops.LinearRelu"/>) and, in the backward, the relu mask and the
    /// bias gradient in one pass over dy (<see cref="Ops.LinearReluBackward"/>). Values and gradients are bit-identical to
    /// <see cref="Linear"/> followed by <see cref="Relu"/> (shift 0) or <see cref="ShiftedRelu"/>; only the pre-activation node
    /// is not recorded. Skips <c>dx</c> when <paramref name="x"/> needs no gradient (<see cref="Node.RequiresGrad"/>).
    /// </summary>
    /// <param name="x">(n, in).</param>
    /// <param name="w">(in, out).</param>
    /// <param name="b">(out).</param>
    /// <param name="shift">Added after the clamp: 0 for a relu, the lesson's −0.5 (<see cref="Mlp.ShiftedRelu.LessonShift"/>) for its shifted relu.</param>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names all three.</exception>
    public Node LinearRelu(Node x, Node w, Node b, float shift = 0f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(b);
        Tensor xv = x.Value, wv = w.Value;
        bool needsDx = x.RequiresGrad;
        // With shift 0 the output itself is the mask (y > 0 exactly where x·w + b > 0); otherwise the pre-activation is kept.
        var (y, pre) = Ops.LinearRelu(xv, wv, b.Value, shift, keepPreActivation: shift != 0f);
        Tensor mask = pre ?? y;
        return Record(y, [x, w, b], dy =>
        {
            var (dx, dw, db) = Ops.LinearReluBackward(xv, wv, mask, dy, needsDx);
            return [dx, dw, db];
        });
    }

    /// <summary>Records <see cref="Mlp.Relu.Forward"/>: <c>max(x, 0)</c>.</summary>
    public Node Relu(Node x)
    {
        var (y, back) = Mlp.Relu.Forward(x.Value);
        return Record(y, [x], dy => [back(dy)]);
    }

    /// <summary>Records <see cref="Mlp.ShiftedRelu.Forward"/>: <c>max(x, 0) + shift</c>.</summary>
    public Node ShiftedRelu(Node x, float shift)
    {
        var (y, back) = Mlp.ShiftedRelu.Forward(x.Value, shift);
        return Record(y, [x], dy => [back(dy)]);
    }

    /// <summary>Records <see cref="Mlp.Mse.Forward"/> against a constant target (which gets no gradient).</summary>
    public Node Mse(Node output, Tensor target)
    {
        var (loss, back) = Mlp.Mse.Forward(output.Value, target);
        return Record(loss, [output], dl => [back(dl)]);
    }
}
