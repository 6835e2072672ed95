using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mlp.Models;

/// <summary>
/// How model files turn a layer's <see cref="Layer.Name"/> (e.g. <c>Linear(784, 100)</c>) back into a layer: a map from
/// the name's type (<c>Linear</c>) to a factory taking its arguments. <see cref="BuiltIn"/> knows the built-in layers;
/// <see cref="With"/> adds a user's own, so that a model with user layers loads exactly like one without
/// (<c>ModelFile.Load(path, registry)</c>).
/// </summary>
/// <remarks>Immutable: <see cref="With"/> returns a new registry.</remarks>
public sealed partial class LayerRegistry
{
    private readonly ImmutableSortedDictionary<string, (string Usage, Func<IReadOnlyList<string>, Layer?> Factory)> entries;

    private LayerRegistry(ImmutableSortedDictionary<string, (string, Func<IReadOnlyList<string>, Layer?>)> entries) => this.entries = entries;

    /// <summary>The built-in layers: <c>Linear(in, out)</c>, <c>ReLU()</c>, <c>ShiftedReLU(shift)</c>, <c>LeakyReLU(slope)</c>.</summary>
    public static LayerRegistry BuiltIn { get; } = new LayerRegistry(ImmutableSortedDictionary.Create<string, (string, Func<IReadOnlyList<string>, Layer?>)>(StringComparer.Ordinal))
        .With("Linear", "Linear(in, out)", a => a.Count == 2 && PositiveInt(a[0]) is { } i && PositiveInt(a[1]) is { } o ? Layer.Linear(i, o) : null)
        .With("ReLU", "ReLU()", a => a.Count == 0 ? Layer.Relu() : null)
        .With("ShiftedReLU", "ShiftedReLU(shift)", a => a.Count == 1 && FiniteFloat(a[0]) is { } s ? Layer.ShiftedRelu(s) : null)
        .With("LeakyReLU", "LeakyReLU(slope)", a => a.Count == 1 && FiniteFloat(a[0]) is { } s ? Layer.LeakyRelu(s) : null);

    /// <summary>The type names known, in order.</summary>
    public IReadOnlyList<string> Types => entries.Keys.ToArray();

    /// <summary>
    /// A registry that also rebuilds layers of type <paramref name="type"/>: <paramref name="factory"/> gets the
    /// arguments of a name like <c>Scale(2)</c> (<c>["2"]</c>, trimmed) and returns the layer, or null when they do not fit.
    /// </summary>
    /// <param name="type">The type name, letters and digits, e.g. <c>Scale</c>; it replaces an entry of the same type.</param>
    /// <param name="usage">How the name is written, for messages, e.g. <c>Scale(factor)</c>.</param>
    /// <param name="factory">Arguments → layer (whose <see cref="Layer.Name"/> should print back to the same text), or null.</param>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a word.</exception>
    public LayerRegistry With(string type, string usage, Func<IReadOnlyList<string>, Layer?> factory)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(usage);
        ArgumentNullException.ThrowIfNull(factory);
        if (!TypePattern().IsMatch(type)) throw new ArgumentException($"A layer type is a word of letters and digits; got '{type}'.", nameof(type));
        return new LayerRegistry(entries.SetItem(type, (usage, factory)));
    }

    /// <summary>Rebuilds a layer from its name, e.g. <c>Linear(784, 100)</c>.</summary>
    /// <exception cref="FormatException">The text names no known layer, or its arguments do not fit; the message lists the known ones.</exception>
    public Layer Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var m = SpecPattern().Match(spec);
        if (m.Success && entries.TryGetValue(m.Groups["type"].Value, out var entry))
        {
            string[] args = m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Layer? layer;
            try { layer = entry.Factory(args); }
            catch (ArgumentException e) { throw new FormatException($"'{spec}': {e.Message}", e); }
            return layer ?? throw new FormatException($"'{spec}' does not fit {entry.Usage}.");
        }
        throw new FormatException($"'{spec}' is not a known layer; known: {string.Join(", ", entries.Values.Select(e => e.Usage))}.");
    }

    private static int? PositiveInt(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;

    private static float? FiniteFloat(string s) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v : null;

    [GeneratedRegex(@"^\s*(?<type>[A-Za-z][A-Za-z0-9]*)\((?<args>[^()]*)\)\s*$")]
    private static partial Regex SpecPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*$")]
    private static partial Regex TypePattern();
}
