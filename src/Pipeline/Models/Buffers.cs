using System.Collections.Immutable;

namespace Mlp.Models;

/// <summary>
/// A model's buffers under their <c>state_dict</c> names (PyTorch: <c>model.buffers()</c>): float32 tensors such as
/// <c>1.running_mean</c> and <c>1.running_var</c>, and int64 counts such as <c>1.num_batches_tracked</c>. Immutable: a
/// training forward returns new buffers (<see cref="Model.Record(Tape, Node, Parameters, Buffers, ForwardMode)"/>),
/// <see cref="Model.InitBuffers"/> makes the initial ones.
/// </summary>
public sealed class Buffers
{
    private readonly ImmutableDictionary<string, long> counts;

    private Buffers(Parameters tensors, IReadOnlyList<KeyValuePair<string, long>> counts)
    {
        Tensors = tensors;
        Counts = counts.ToArray();
        var b = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in Counts)
        {
            if (tensors.Contains(name) || !b.TryAdd(name, value))
                throw new ArgumentException($"Buffer name '{name}' appears twice.", nameof(counts));
        }
        this.counts = b.ToImmutable();
    }

    /// <summary>Buffers from float tensors and int64 counts, each in the given order.</summary>
    /// <exception cref="ArgumentException">A name appears twice.</exception>
    public static Buffers From(IEnumerable<NamedTensor> tensors, IEnumerable<KeyValuePair<string, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(counts);
        return new Buffers(Parameters.From(tensors), counts.ToArray());
    }

    /// <summary>No buffers: those of a model without BatchNorm.</summary>
    public static Buffers Empty { get; } = new(Parameters.Empty, []);

    /// <summary>The float32 buffers, e.g. <c>1.running_mean</c>, <c>1.running_var</c>, in order.</summary>
    public Parameters Tensors { get; }

    /// <summary>The int64 buffers, e.g. <c>1.num_batches_tracked</c>, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Counts { get; }

    /// <summary>True when there are no buffers.</summary>
    public bool IsEmpty => Tensors.Count == 0 && Counts.Count == 0;

    /// <summary>The float buffer named <paramref name="name"/> (PyTorch: <c>state_dict()[name]</c>).</summary>
    /// <exception cref="KeyNotFoundException">No float buffer has that name; the message lists the names.</exception>
    public Tensor this[string name] =>
        Tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"No float buffer named '{name}'. Buffers: {Describe()}.");

    /// <summary>The int64 buffer named <paramref name="name"/>, e.g. <c>Count("1.num_batches_tracked")</c>.</summary>
    /// <exception cref="KeyNotFoundException">No count has that name; the message lists the names.</exception>
    public long Count(string name) =>
        counts.TryGetValue(name, out long v) ? v
        : throw new KeyNotFoundException($"No int64 buffer named '{name}'. Buffers: {Describe()}.");

    /// <summary>True when both hold the same names in the same order and bitwise-identical values.</summary>
    public bool BitwiseEquals(Buffers other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Tensors.BitwiseEquals(other.Tensors) && Counts.SequenceEqual(other.Counts);
    }

    private string Describe() => IsEmpty ? "none" : string.Join(", ", Tensors.Names.Concat(Counts.Select(c => c.Key)));

    /// <inheritdoc/>
    public override string ToString() =>
        IsEmpty ? "(no buffers)" : string.Join(", ", Tensors.Select(t => $"{t.Name} {Tensor.ShapeString(t.Value.Shape)}").Concat(Counts.Select(c => $"{c.Key} = {c.Value}")));
}
