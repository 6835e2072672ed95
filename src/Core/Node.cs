namespace Mlp;

/// <summary>A value recorded on a <see cref="Tape"/>: a leaf (input or parameter) or the output of a layer.</summary>
/// <remarks>PyTorch: a tensor with <c>requires_grad</c> and a <c>grad_fn</c>. Its gradient lives in <see cref="Gradients"/>, not here.</remarks>
public sealed class Node
{
    internal Node(Tape tape, int id, Tensor value, string? name, bool requiresGrad)
    {
        Tape = tape;
        Id = id;
        Value = value;
        Name = name;
        RequiresGrad = requiresGrad;
    }

    internal Tape Tape { get; }

    /// <summary>The position of this node on its tape, in recording order.</summary>
    public int Id { get; }

    /// <summary>The value computed in the forward pass.</summary>
    public Tensor Value { get; }

    /// <summary>The name given to a leaf (e.g. <c>0.weight</c>), or null.</summary>
    public string? Name { get; }

    /// <summary>
    /// True when a gradient flows to this node: a leaf made by <see cref="Tape.Input"/> or <see cref="Tape.Parameter"/>,
    /// or an operation with such an input. False for <see cref="Tape.Constant"/> and what depends on constants only;
    /// a layer may skip computing the gradient of such an input (PyTorch: <c>requires_grad</c>).
    /// </summary>
    public bool RequiresGrad { get; }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public IReadOnlyList<int> Shape => Value.Shape;

    /// <inheritdoc/>
    public override string ToString() => $"Node #{Id}{(Name is null ? "" : $" '{Name}'")} {Tensor.ShapeString(Value.Shape)}";
}
