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
