using System.Collections;

namespace Mlp.Models;

/// <summary>
/// An immutable, ordered set of named tensors: a model's weights, their gradients, or an optimizer's buffers
/// (PyTorch: a <c>state_dict</c>, e.g. <c>{"0.weight": …, "0.bias": …, "2.weight": …}</c>).
/// </summary>
/// <remarks>
/// Mlp stores a linear layer's weight as <b>(in, out)</b> (the lesson's <c>y = x·w</c>); PyTorch's <c>nn.Linear</c>
/// stores the transpose. Model files convert (see <c>Mlp.Serialization.ModelFile</c>), so names match PyTorch
/// and layouts match each side's convention.
/// </remarks>
public sealed class Parameters : IReadOnlyList<NamedTensor>
{
    private readonly NamedTensor[] items;
    private readonly Dictionary<string, int> index;

    private Parameters(NamedTensor[] items)
    {
        this.items = items;
        index = new Dictionary<string, int>(items.Length, StringComparer.Ordinal);
        for (int i = 0; i < items.Length; i++)
            if (!index.TryAdd(items[i].Name, i))
                throw new ArgumentException($"Parameter name '{items[i].Name}' appears twice.");
    }

    /// <summary>Parameters from named tensors, in the given order.</summary>
    /// <exception cref="ArgumentException">A name appears twice.</exception>
    public static Parameters From(IEnumerable<NamedTensor> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var arr = items.ToArray();
        foreach (var it in arr) ArgumentNullException.ThrowIfNull(it);
        return new Parameters(arr);
    }

    /// <summary>The empty set.</summary>
    public static Parameters Empty { get; } = new([]);

    /// <summary>The number of tensors.</summary>
    public int Count => items.Length;

    /// <summary>The <paramref name="i"/>-th named tensor, in order.</summary>
    public NamedTensor this[int i] => items[i];

    /// <summary>The tensor named <paramref name="name"/> (PyTorch: <c>state_dict()[name]</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such name; the message lists the names.</exception>
    public Tensor this[string name] =>
        index.TryGetValue(name, out int i) ? items[i].Value
        : throw new KeyNotFoundException($"No parameter named '{name}'. Names: {string.Join(", ", Names)}.");

    /// <summary>True when a tensor has this name.</summary>
    public bool Contains(string name) => index.ContainsKey(name);

    /// <summary>The tensor named <paramref name="name"/> if there is one (PyTorch: <c>state_dict().get(name)</c>).</summary>
    /// <param name="name">The <c>state_dict</c> name, e.g. <c>0.weight</c>.</param>
    /// <param name="value">The tensor, or null when there is none.</param>
    /// <returns>True when a tensor has this name.</returns>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (index.TryGetValue(name, out int i))
        {
            value = items[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The names, in order.</summary>
    public IReadOnlyList<string> Names => items.Select(p => p.Name).ToArray();

    /// <summary>The tensors, in order.</summary>
    public IReadOnlyList<Tensor> Tensors => items.Select(p => p.Value).ToArray();

    /// <summary>The total number of elements (torchinfo's "Total params").</summary>
    public long ElementCount
    {
        get { long n = 0; foreach (var p in items) n += p.Value.Length; return n; }
    }

    /// <summary>A copy with the tensor named <paramref name="name"/> replaced.</summary>
    /// <exception cref="KeyNotFoundException">No such name.</exception>
    /// <exception cref="ArgumentException">The new value's shape differs from the old one's.</exception>
    public Parameters With(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _ = this[name];
        int i = index[name];
        if (!items[i].Value.SameShape(value))
            throw new ArgumentException($"Parameter '{name}' has shape {Tensor.ShapeString(items[i].Value.Shape)}; the new value has {Tensor.ShapeString(value.Shape)}.", nameof(value));
        var copy = (NamedTensor[])items.Clone();
        copy[i] = new NamedTensor(name, value);
        return new Parameters(copy);
    }

    /// <summary>Applies <paramref name="f"/> to every tensor, keeping names and order.</summary>
    public Parameters Map(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var r = new NamedTensor[items.Length];
        for (int i = 0; i < r.Length; i++) r[i] = new NamedTensor(items[i].Name, f(items[i].Value));
        return new Parameters(r);
    }

    /// <summary>Zeros shaped like every tensor (PyTorch: <c>torch.zeros_like</c> per entry).</summary>
    public Parameters ZerosLike() => Map(Tensor.ZerosLike);

    /// <summary>True when both have the same names in the same order, the same shapes and bitwise-identical values.</summary>
    public bool BitwiseEquals(Parameters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count != Count) return false;
        for (int i = 0; i < items.Length; i++)
        {
            Tensor a = items[i].Value, b = other.items[i].Value;
            if (items[i].Name != other.items[i].Name || !a.SameShape(b)) return false;
            if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan())))
                return false;
        }
        return true;
    }

    /// <summary>Checks that <paramref name="other"/> has the same names, order and shapes.</summary>
    /// <exception cref="ArgumentException">They differ; the message names the first difference.</exception>
    internal void RequireSameLayout(Parameters other, string what)
    {
        if (other.Count != Count)
            throw new ArgumentException($"{what}: {other.Count} tensors ({string.Join(", ", other.Names)}) where {Count} were expected ({string.Join(", ", Names)}).");
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i].Name != other.items[i].Name)
                throw new ArgumentException($"{what}: tensor {i} is '{other.items[i].Name}' where '{items[i].Name}' was expected.");
            if (!items[i].Value.SameShape(other.items[i].Value))
                throw new ArgumentException($"{what}: '{items[i].Name}' has shape {Tensor.ShapeString(other.items[i].Value.Shape)} where {Tensor.ShapeString(items[i].Value.Shape)} was expected.");
        }
    }

    /// <inheritdoc/>
    public IEnumerator<NamedTensor> GetEnumerator() => ((IEnumerable<NamedTensor>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", items.Select(p => $"{p.Name} {Tensor.ShapeString(p.Value.Shape)}"));
}
