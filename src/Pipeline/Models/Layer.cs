using System.Globalization;

namespace Mlp.Models;

/// <summary>
/// A layer as a value: a pure function of its parameters and input that records itself on a <see cref="Tape"/>, the
/// names and shapes of its parameters, and how to initialize them. PyTorch: an <c>nn.Module</c> without state.
/// Built-ins are <see cref="Linear(int, int)"/>, <see cref="Relu"/> and <see cref="ShiftedRelu"/>, each a thin adapter
/// over the Core layer's own forward and backward (for example <see cref="Tape.Linear"/>); <see cref="Create(string, IReadOnlyList{ParameterSpec}, Func{Rng, IReadOnlyList{Tensor}}, Func{IReadOnlyList{Tensor}, Tensor, Vjp{Tensor[]}})"/>
/// (or <see cref="CreateActivation"/>) makes a user's own function a layer that composes exactly like them.
/// </summary>
public sealed class Layer
{
    private readonly Func<Tape, Node, IReadOnlyList<Node>, Node> record;
    private readonly Func<Rng, IReadOnlyList<Tensor>> init;

    private Layer(string name, IReadOnlyList<ParameterSpec> specs, Func<Rng, IReadOnlyList<Tensor>> init,
                  Func<Tape, Node, IReadOnlyList<Node>, Node> record, bool builtIn)
    {
        Name = name;
        ParameterSpecs = specs;
        this.init = init;
        this.record = record;
        IsBuiltIn = builtIn;
    }

    /// <summary>How the layer prints and is stored in a model file, e.g. <c>Linear(784, 100)</c>, <c>ReLU()</c>.</summary>
    public string Name { get; }

    /// <summary>The layer's parameters, in the order its forward takes them.</summary>
    public IReadOnlyList<ParameterSpec> ParameterSpecs { get; }

    /// <summary>True for the built-in layers, which <see cref="Parse"/> can rebuild from <see cref="Name"/>.</summary>
    public bool IsBuiltIn { get; }

    /// <summary>The number of input features the layer requires (a linear layer's <c>in</c>), or null when any width fits.</summary>
    public int? InputFeatures { get; private init; }

    /// <summary>Fresh parameter values from <paramref name="rng"/>, in <see cref="ParameterSpecs"/> order.</summary>
    public IReadOnlyList<Tensor> Init(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var values = init(rng);
        CheckParameters(values, "Init");
        return values;
    }

    /// <summary>
    /// Records the layer on <paramref name="tape"/>: its output node, whose backward gives the gradient of
    /// <paramref name="x"/> (when <see cref="Node.RequiresGrad"/>) and of each parameter node.
    /// </summary>
    /// <param name="tape">The tape the nodes belong to.</param>
    /// <param name="x">(n, features) input.</param>
    /// <param name="parameters">Parameter nodes in <see cref="ParameterSpecs"/> order and shapes.</param>
    /// <exception cref="ArgumentException">The parameters do not match the specs, or the input does not fit the layer.</exception>
    public Node Record(Tape tape, Node x, IReadOnlyList<Node> parameters)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(parameters);
        CheckParameters(parameters.Select(p => p.Value).ToArray(), "Forward");
        return record(tape, x, parameters);
    }

    /// <summary>The layer's output alone (PyTorch: <c>with torch.no_grad(): layer(x)</c>).</summary>
    /// <param name="parameters">Values in <see cref="ParameterSpecs"/> order and shapes.</param>
    /// <param name="x">(n, features) input.</param>
    /// <exception cref="ArgumentException">The parameters do not match the specs, or the input does not fit the layer.</exception>
    public Tensor Predict(IReadOnlyList<Tensor> parameters, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        var tape = new Tape();
        return Record(tape, tape.Constant(x), parameters.Select(tape.Constant).ToArray()).Value;
    }

    private void CheckParameters(IReadOnlyList<Tensor> values, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != ParameterSpecs.Count)
            throw new ArgumentException($"{Name} {what}: {values.Count} parameter tensors where {ParameterSpecs.Count} are expected ({string.Join(", ", ParameterSpecs.Select(s => s.Name))}).");
        for (int i = 0; i < values.Count; i++)
            if (!values[i].Shape.SequenceEqual(ParameterSpecs[i].Shape))
                throw new ArgumentException($"{Name} {what}: '{ParameterSpecs[i].Name}' has shape {Tensor.ShapeString(values[i].Shape)} where {Tensor.ShapeString(ParameterSpecs[i].Shape)} is expected.");
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    // ------------------------------------------------------------------ built-ins: one adapter line each over Core

    /// <summary>A fully connected layer <c>y = x·w + b</c> with PyTorch's default init. PyTorch: <c>nn.Linear(in, out)</c>.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <remarks>Parameters <c>weight</c> (in, out) — PyTorch's (out, in) transposed — and <c>bias</c> (out).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Layer Linear(int inFeatures, int outFeatures) => Linear(inFeatures, outFeatures, LinearInit.TorchDefault);

    /// <summary>A fully connected layer <c>y = x·w + b</c> with the chosen init. PyTorch: <c>nn.Linear(in, out)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Layer Linear(int inFeatures, int outFeatures, LinearInit initKind)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ParameterSpec[] specs = [new("weight", [inFeatures, outFeatures], true), new("bias", [outFeatures], false)];
        return new Layer($"Linear({inFeatures}, {outFeatures})", specs,
            rng => initKind == LinearInit.KaimingNormal
                ? [Mlp.Init.KaimingNormal(rng, inFeatures, outFeatures, FanMode.FanIn, Gain.Relu), Tensor.Zeros(outFeatures)]
                : TorchDefault(rng, inFeatures, outFeatures),
            static (t, x, p) => t.Linear(x, p[0], p[1]), builtIn: true)
        { InputFeatures = inFeatures };
    }

    private static Tensor[] TorchDefault(Rng rng, int inFeatures, int outFeatures)
    {
        var (w, b) = Mlp.Init.TorchLinearDefault(rng, inFeatures, outFeatures);
        return [w, b];
    }

    /// <summary>Rectified linear unit <c>max(x, 0)</c>, relu'(0) = 0. PyTorch: <c>nn.ReLU()</c>.</summary>
    public static Layer Relu() => new("ReLU()", [], _ => [], static (t, x, _) => t.Relu(x), builtIn: true);

    /// <summary>The lesson's shifted relu <c>max(x, 0) + shift</c> (the lesson uses −0.5). PyTorch: <c>F.relu(x) + shift</c>.</summary>
    public static Layer ShiftedRelu(float shift) =>
        new($"ShiftedReLU({shift.ToString("R", CultureInfo.InvariantCulture)})", [], _ => [], (t, x, _) => t.ShiftedRelu(x, shift), builtIn: true);

    /// <summary>
    /// Leaky relu <c>x &gt; 0 ? x : slope·x</c> (<see cref="Mlp.LeakyRelu"/>). PyTorch: <c>nn.LeakyReLU(negative_slope)</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="slope"/> is not finite.</exception>
    public static Layer LeakyRelu(float slope = Mlp.LeakyRelu.DefaultSlope)
    {
        if (!float.IsFinite(slope)) throw new ArgumentException($"LeakyReLU: the slope must be finite; got {slope}.", nameof(slope));
        return new($"LeakyReLU({slope.ToString("R", CultureInfo.InvariantCulture)})", [], _ => [], (t, x, _) => t.LeakyRelu(x, slope), builtIn: true);
    }

    // ------------------------------------------------------------------ user layers

    /// <summary>
    /// Makes a user's pure function a layer. <paramref name="forward"/> gets the parameters (in <paramref name="parameterSpecs"/>
    /// order) and the input, and returns the output and a backward closure giving, in <see cref="Tape.Record"/>'s order,
    /// the input gradient followed by one gradient per parameter. It composes, initializes, trains and saves exactly like a
    /// built-in layer.
    /// </summary>
    /// <param name="name">How the layer prints, e.g. <c>Scale(2)</c>.</param>
    /// <param name="parameterSpecs">Names and shapes of its parameters (may be empty).</param>
    /// <param name="init">Fresh parameter values from a random stream, in spec order.</param>
    /// <param name="forward"><c>(parameters, x) → (y, dy ↦ [dx, dparam₀, dparam₁, …])</c>.</param>
    /// <exception cref="ArgumentException">A parameter name is empty, contains a dot, or repeats.</exception>
    public static Layer Create(string name, IReadOnlyList<ParameterSpec> parameterSpecs, Func<Rng, IReadOnlyList<Tensor>> init,
                               Func<IReadOnlyList<Tensor>, Tensor, Vjp<Tensor?[]>> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return Create(name, parameterSpecs, init, (t, x, ps) =>
        {
            var (y, back) = forward(ps.Select(p => p.Value).ToArray(), x.Value);
            return t.Record(y, [x, .. ps], back);
        });
    }

    /// <summary>
    /// Makes a layer from a function that records it on a tape, the way the built-ins are written: for example
    /// <c>(tape, x, p) =&gt; tape.Relu(tape.Linear(x, p[0], p[1]))</c>, or any <see cref="Tape.Record"/> of the user's own vjp.
    /// </summary>
    /// <param name="name">How the layer prints.</param>
    /// <param name="parameterSpecs">Names and shapes of its parameters (may be empty).</param>
    /// <param name="init">Fresh parameter values from a random stream, in spec order.</param>
    /// <param name="record"><c>(tape, x, parameter nodes) → output node</c>.</param>
    /// <exception cref="ArgumentException">A parameter name is empty, contains a dot, or repeats.</exception>
    public static Layer Create(string name, IReadOnlyList<ParameterSpec> parameterSpecs, Func<Rng, IReadOnlyList<Tensor>> init,
                               Func<Tape, Node, IReadOnlyList<Node>, Node> record)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parameterSpecs);
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(record);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in parameterSpecs)
            if (string.IsNullOrEmpty(s.Name) || s.Name.Contains('.') || !seen.Add(s.Name))
                throw new ArgumentException($"Layer '{name}': parameter name '{s.Name}' must be non-empty, without dots, and unique.", nameof(parameterSpecs));
        return new Layer(name, parameterSpecs.ToArray(), init, record, builtIn: false);
    }

    /// <summary>
    /// A parameter-free user layer from a pure function <c>x → (y, dy ↦ dx)</c>, e.g. a different activation.
    /// </summary>
    /// <param name="name">How the layer prints.</param>
    /// <param name="forward">The layer's vjp.</param>
    public static Layer CreateActivation(string name, Func<Tensor, Vjp<Tensor>> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return Create(name, [], _ => [], (t, x, _) =>
        {
            var (y, back) = forward(x.Value);
            return t.Record(y, [x], dy => [back(dy)]);
        });
    }

    // ------------------------------------------------------------------ parsing (model files)

    /// <summary>
    /// Rebuilds a built-in layer from its <see cref="Name"/>: <c>Linear(784, 100)</c>, <c>ReLU()</c>, <c>ShiftedReLU(-0.5)</c>,
    /// <c>LeakyReLU(0.01)</c> (<see cref="LayerRegistry.BuiltIn"/>; a registry with the user's own layers parses those too).
    /// </summary>
    /// <exception cref="FormatException">The text names no built-in layer; the message lists the known ones.</exception>
    public static Layer Parse(string spec) => LayerRegistry.BuiltIn.Parse(spec);
}
