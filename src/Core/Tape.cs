namespace Mlp;

/// <summary>
/// Records layer closures in execution order and runs them in reverse: reverse-mode automatic differentiation
/// (PyTorch: the autograd graph behind <c>loss.backward()</c>; JAX: composing <c>vjp</c>s).
/// </summary>
/// <remarks>
/// Recording order is already a topological order, so <see cref="Backward(Node)"/> walks the records from last to
/// first, accumulating cotangents where a value is used more than once. Backward writes nothing into any tensor
/// or node and may be called any number of times with the same result. A tape belongs to one thread at a time;
/// separate tapes share nothing and may run on separate threads.
/// </remarks>
public sealed partial class Tape
{
    private readonly List<Node> nodes = [];
    // For each non-leaf node: its inputs and the map from its cotangent to theirs (null entries: no gradient).
    private readonly List<(Node[] Inputs, Func<Tensor, Tensor?[]> Backward)?> records = [];

    /// <summary>The number of nodes recorded so far.</summary>
    public int Count => nodes.Count;

    /// <summary>Records a leaf: an input or a parameter whose gradient <see cref="Backward(Node)"/> will return.</summary>
    /// <param name="value">The leaf's value.</param>
    public Node Input(Tensor value) => Leaf(value, null, requiresGrad: true);

    /// <summary>
    /// Records a leaf that needs no gradient, such as a batch of training inputs: layers skip the work of its gradient
    /// (a first linear layer's <c>dy·wᵀ</c>) and <see cref="Gradients"/> reports it as unreached (PyTorch: a tensor
    /// without <c>requires_grad</c>).
    /// </summary>
    /// <param name="value">The leaf's value.</param>
    public Node Constant(Tensor value) => Leaf(value, null, requiresGrad: false);

    /// <summary>Records a named leaf, e.g. a parameter called <c>0.weight</c>.</summary>
    /// <param name="name">The name shown in gradients and errors.</param>
    /// <param name="value">The leaf's value.</param>
    public Node Parameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Leaf(value, name, requiresGrad: true);
    }

    private Node Leaf(Tensor value, string? name, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(value);
        var node = new Node(this, nodes.Count, value, name, requiresGrad);
        nodes.Add(node);
        records.Add(null);
        return node;
    }

    /// <summary>
    /// Records any operation: its output, its inputs, and its vjp, which maps the output's cotangent to one
    /// cotangent per input (shaped like that input; null for an input that needs none). This is how a user's own
    /// layer joins the tape exactly as the built-in ones do. The cotangent of an input whose
    /// <see cref="Node.RequiresGrad"/> is false is dropped (the vjp may return null for it).
    /// </summary>
    /// <exception cref="ArgumentException">An input belongs to another tape.</exception>
    public Node Record(Tensor output, Node[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        bool requiresGrad = false;
        foreach (var input in inputs) { Own(input, nameof(inputs)); requiresGrad |= input.RequiresGrad; }
        var node = new Node(this, nodes.Count, output, null, requiresGrad);
        nodes.Add(node);
        records.Add(((Node[])inputs.Clone(), backward));
        return node;
    }

    /// <summary>Gradients of a scalar <paramref name="loss"/> with respect to every node recorded before it (PyTorch: <c>loss.backward()</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="loss"/> is not a one-element tensor or belongs to another tape.</exception>
    public Gradients Backward(Node loss)
    {
        Own(loss, nameof(loss));
        if (loss.Value.Length != 1)
            throw new ArgumentException($"Backward(loss) needs a one-element loss; got shape {Tensor.ShapeString(loss.Value.Shape)}. Pass an output gradient with Backward(output, seed).", nameof(loss));
        return Backward(loss, Tensor.Ones(loss.Value.ShapeArray()));
    }

    /// <summary>Vector-Jacobian product of the whole recorded computation: gradients when <paramref name="output"/>'s cotangent is <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The seed's shape differs from the output's, or the output belongs to another tape.</exception>
    public Gradients Backward(Node output, Tensor seed)
    {
        Own(output, nameof(output));
        ArgumentNullException.ThrowIfNull(seed);
        if (!seed.SameShape(output.Value))
            throw new ArgumentException($"Backward: seed {Tensor.ShapeString(seed.Shape)} must match output {Tensor.ShapeString(output.Value.Shape)}.", nameof(seed));

        var cot = new Tensor?[output.Id + 1];
        cot[output.Id] = seed;
        for (int id = output.Id; id >= 0; id--)
        {
            if (cot[id] is not { } g || records[id] is not { } rec) continue;
            Tensor?[] grads = rec.Backward(g);
            if (grads.Length != rec.Inputs.Length)
                throw new InvalidOperationException($"The backward of node #{id} returned {grads.Length} gradients for {rec.Inputs.Length} inputs.");
            for (int i = 0; i < grads.Length; i++)
            {
                if (grads[i] is not { } gi) continue;
                var input = rec.Inputs[i];
                if (!input.RequiresGrad) continue;
                if (!gi.SameShape(input.Value))
                    throw new InvalidOperationException(
                        $"The backward of node #{id} returned a gradient of shape {Tensor.ShapeString(gi.Shape)} for input {input} of shape {Tensor.ShapeString(input.Value.Shape)}.");
                cot[input.Id] = cot[input.Id] is { } prev ? prev + gi : gi; // a value used twice sums its cotangents
            }
        }

        var result = new Dictionary<int, Tensor>();
        for (int id = 0; id < cot.Length; id++)
            if (cot[id] is { } g) result[id] = g;
        return new Gradients(this, nodes.GetRange(0, output.Id + 1).ToArray(), result);
    }

    private void Own(Node node, string param)
    {
        ArgumentNullException.ThrowIfNull(node, param);
        if (!ReferenceEquals(node.Tape, this))
            throw new ArgumentException($"{node} belongs to another tape.", param);
    }
}
