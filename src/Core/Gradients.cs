namespace Mlp;

/// <summary>
/// The immutable result of <see cref="Tape.Backward(Node)"/>: the gradient of the loss with respect to each node
/// (the lesson's <c>x.g</c> becomes <c>grads[x]</c>).
/// </summary>
public sealed class Gradients
{
    private readonly Tape tape;
    private readonly Node[] nodes;
    private readonly Dictionary<int, Tensor> byId;

    internal Gradients(Tape tape, Node[] nodes, Dictionary<int, Tensor> byId)
    {
        this.tape = tape;
        this.nodes = nodes;
        this.byId = byId;
    }

    /// <summary>
    /// The gradient with respect to <paramref name="node"/>, shaped like its value. A node recorded before the loss
    /// that the loss does not depend on has a zero gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The node belongs to another tape or was recorded after the loss.</exception>
    public Tensor this[Node node]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(node);
            if (!ReferenceEquals(node.Tape, tape) || node.Id >= nodes.Length)
                throw new ArgumentException($"{node} is not part of the computation these gradients were taken of.", nameof(node));
            return byId.TryGetValue(node.Id, out var g) ? g : Tensor.ZerosLike(node.Value);
        }
    }

    /// <summary>True when the loss depends on <paramref name="node"/> through some recorded operation (or is it).</summary>
    public bool Reaches(Node node) => ReferenceEquals(node.Tape, tape) && byId.ContainsKey(node.Id);

    /// <summary>The gradient of the named leaf <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No leaf of that name was recorded; the message lists the names.</exception>
    public Tensor this[string name]
    {
        get
        {
            foreach (var n in nodes)
                if (n.Name == name) return this[n];
            throw new KeyNotFoundException($"No parameter named '{name}'. Named leaves: {string.Join(", ", nodes.Where(n => n.Name != null).Select(n => n.Name))}.");
        }
    }

    /// <summary>Gradients of every named leaf, by name, in recording order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Named() =>
        nodes.Where(n => n.Name != null).Select(n => new KeyValuePair<string, Tensor>(n.Name!, this[n])).ToList();
}
