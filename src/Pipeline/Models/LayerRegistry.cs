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

    /// <summary>
    /// The built-in layers, each written as PyTorch constructs (and prints) it, positional or keyword arguments:
    /// <c>Linear(in_features, out_features, bias=True)</c>, <c>ReLU()</c>, <c>LeakyReLU(negative_slope=0.01)</c>,
    /// <c>Tanh()</c>, <c>Sigmoid()</c>, <c>GELU(approximate='none')</c>, <c>Softmax(dim=1)</c>, <c>LogSoftmax(dim=1)</c>,
    /// <c>Dropout(p=0.5)</c>, <c>BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True)</c>, and the lesson's
    /// <c>ShiftedReLU(shift)</c>. <c>inplace</c> is accepted and ignored (nothing is ever changed in place);
    /// <c>bias=False</c> and <c>track_running_stats=False</c> are refused.
    /// </summary>
    public static LayerRegistry BuiltIn { get; } = new LayerRegistry(ImmutableSortedDictionary.Create<string, (string, Func<IReadOnlyList<string>, Layer?>)>(StringComparer.Ordinal))
        .With("Linear", "Linear(in_features, out_features)", a =>
        {
            var b = PyArgs.Bind("Linear", a, ["in_features", "out_features", "bias", "device", "dtype"], 2);
            PyArgs.Require("Linear", b, "bias", true, "Mlp's linear layers always have a bias");
            return Layer.Linear(PyArgs.PositiveInt("in_features", b["in_features"]), PyArgs.PositiveInt("out_features", b["out_features"]));
        })
        .With("ReLU", "ReLU()", a => { PyArgs.Bind("ReLU", a, ["inplace"], 0); return Layer.Relu(); })
        .With("ShiftedReLU", "ShiftedReLU(shift)", a => a.Count == 1 && FiniteFloat(a[0]) is { } s ? Layer.ShiftedRelu(s) : null)
        .With("LeakyReLU", "LeakyReLU(negative_slope=0.01)", a =>
        {
            var b = PyArgs.Bind("LeakyReLU", a, ["negative_slope", "inplace"], 0);
            return Layer.LeakyRelu(b.TryGetValue("negative_slope", out var s) ? (float)PyArgs.Float("negative_slope", s) : Mlp.LeakyRelu.DefaultSlope);
        })
        .With("Tanh", "Tanh()", a => { PyArgs.Bind("Tanh", a, [], 0); return Layer.Tanh(); })
        .With("Sigmoid", "Sigmoid()", a => { PyArgs.Bind("Sigmoid", a, [], 0); return Layer.Sigmoid(); })
        .With("GELU", "GELU(approximate='none' | 'tanh')", a =>
        {
            var b = PyArgs.Bind("GELU", a, ["approximate"], 0);
            return (b.TryGetValue("approximate", out var v) ? PyArgs.String("approximate", v) : "none") switch
            {
                "none" => Layer.Gelu(GeluApproximation.None),
                "tanh" => Layer.Gelu(GeluApproximation.Tanh),
                var other => throw new ArgumentException($"GELU: approximate must be 'none' or 'tanh'; got '{other}'."),
            };
        })
        .With("Softmax", "Softmax(dim=1)", a => Layer.Softmax(PyArgs.Dim("Softmax", PyArgs.Bind("Softmax", a, ["dim"], 0))))
        .With("LogSoftmax", "LogSoftmax(dim=1)", a => Layer.LogSoftmax(PyArgs.Dim("LogSoftmax", PyArgs.Bind("LogSoftmax", a, ["dim"], 0))))
        .With("Dropout", "Dropout(p=0.5)", a =>
        {
            var b = PyArgs.Bind("Dropout", a, ["p", "inplace"], 0);
            return Layer.Dropout(b.TryGetValue("p", out var p) ? PyArgs.Float("p", p) : 0.5);
        })
        .With("BatchNorm1d", "BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True)", a =>
        {
            var b = PyArgs.Bind("BatchNorm1d", a, ["num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"], 1);
            PyArgs.Require("BatchNorm1d", b, "track_running_stats", true, "Mlp's BatchNorm1d always tracks running statistics");
            return Layer.BatchNorm1d(PyArgs.PositiveInt("num_features", b["num_features"]),
                eps: b.TryGetValue("eps", out var e) ? PyArgs.Float("eps", e) : Mlp.BatchNorm1d.DefaultEps,
                momentum: b.TryGetValue("momentum", out var m) ? PyArgs.FloatOrNone("momentum", m) : Mlp.BatchNorm1d.DefaultMomentum,
                affine: !b.TryGetValue("affine", out var af) || PyArgs.Bool("affine", af));
        });

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

    private static float? FiniteFloat(string s) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v : null;

    [GeneratedRegex(@"^\s*(?<type>[A-Za-z][A-Za-z0-9]*)\((?<args>[^()]*)\)\s*$")]
    private static partial Regex SpecPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*$")]
    private static partial Regex TypePattern();
}
