using System.Globalization;

namespace Mlp.Models;

/// <summary>
/// A layer as a value: a pure function of its parameters, buffers and input that records itself on a <see cref="Tape"/>,
/// the names and shapes of its parameters and buffers, and how to initialize them. PyTorch: an <c>nn.Module</c> whose
/// state is passed in and returned instead of stored. Built-ins (<see cref="Linear(int, int)"/>, <see cref="Relu"/>,
/// <see cref="Gelu"/>, <see cref="BatchNorm1d"/>, <see cref="Dropout"/>, …) are each a thin adapter over the Core layer's
/// own forward and backward (for example <see cref="Tape.Linear"/>); <see cref="Create(string, IReadOnlyList{ParameterSpec}, Func{Rng, IReadOnlyList{Tensor}}, Func{IReadOnlyList{Tensor}, Tensor, Vjp{Tensor[]}})"/>
/// (or <see cref="CreateActivation"/>) makes a user's own function a layer that composes exactly like them.
/// </summary>
/// <remarks>
/// A layer's <see cref="Name"/> is a PyTorch constructor call (<c>nn.</c> + name builds the same module, e.g.
/// <c>BatchNorm1d(256)</c>, <c>GELU(approximate='tanh')</c>), and <see cref="Parse"/> reads it back, as well as the
/// form PyTorch prints (<c>Dropout(p=0.1, inplace=False)</c>).
/// </remarks>
public sealed partial class Layer
{
    private readonly Func<Rng, IReadOnlyList<Tensor>> init;
    private readonly Func<Tape, Node, IReadOnlyList<Node>, LayerState, ForwardMode, LayerOutput> forward;
    private readonly Func<LayerState> initState;

    private Layer(string name, IReadOnlyList<ParameterSpec> specs, Func<Rng, IReadOnlyList<Tensor>> init,
                  Func<Tape, Node, IReadOnlyList<Node>, LayerState, ForwardMode, LayerOutput> forward, bool builtIn,
                  IReadOnlyList<ParameterSpec>? bufferSpecs = null, IReadOnlyList<string>? countNames = null, Func<LayerState>? initState = null)
    {
        Name = name;
        ParameterSpecs = specs;
        this.init = init;
        this.forward = forward;
        IsBuiltIn = builtIn;
        BufferSpecs = bufferSpecs ?? [];
        CountNames = countNames ?? [];
        this.initState = initState ?? (() => LayerState.Empty);
    }

    // A layer without buffers whose function does not depend on the mode.
    private Layer(string name, IReadOnlyList<ParameterSpec> specs, Func<Rng, IReadOnlyList<Tensor>> init,
                  Func<Tape, Node, IReadOnlyList<Node>, Node> record, bool builtIn)
        : this(name, specs, init, (t, x, p, s, _) => new LayerOutput(record(t, x, p), s), builtIn) { }

    /// <summary>
    /// How the layer prints and is stored in a model file: a PyTorch constructor call such as <c>Linear(784, 100)</c>,
    /// <c>ReLU()</c>, <c>BatchNorm1d(256)</c>, <c>Dropout(0.1)</c> (defaults left out).
    /// </summary>
    public string Name { get; }

    /// <summary>The layer's parameters, in the order its forward takes them.</summary>
    public IReadOnlyList<ParameterSpec> ParameterSpecs { get; }

    /// <summary>The layer's float32 buffers (BatchNorm1d: <c>running_mean</c>, <c>running_var</c>); empty for most layers.</summary>
    public IReadOnlyList<ParameterSpec> BufferSpecs { get; }

    /// <summary>The layer's int64 scalar buffers (BatchNorm1d: <c>num_batches_tracked</c>); empty for most layers.</summary>
    public IReadOnlyList<string> CountNames { get; }

    /// <summary>True when the layer computes something else in training than in evaluation (Dropout, BatchNorm1d).</summary>
    public bool DependsOnMode { get; private init; }

    /// <summary>True for the built-in layers, which <see cref="Parse"/> can rebuild from <see cref="Name"/>.</summary>
    public bool IsBuiltIn { get; }

    /// <summary>The number of input features the layer requires (a linear layer's <c>in</c>), or null when any width fits.</summary>
    public int? InputFeatures { get; private init; }

    // Fusion: a built-in Linear followed by a built-in ReLU (shift 0) or ShiftedReLU records as one Tape.LinearRelu node,
    // which gives the same bits with the bias and clamp in the product's store and the mask and bias gradient in one pass.
    internal bool IsBuiltInLinear { get; private init; }
    internal float? ReluShift { get; private init; }

    /// <summary>Fresh parameter values from <paramref name="rng"/>, in <see cref="ParameterSpecs"/> order.</summary>
    public IReadOnlyList<Tensor> Init(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var values = init(rng);
        CheckParameters(values, "Init");
        return values;
    }

    /// <summary>The initial buffers (PyTorch's: BatchNorm1d's running mean 0, running variance 1, count 0); empty for most layers.</summary>
    public LayerState InitState()
    {
        var s = initState();
        CheckState(s, "InitState");
        return s;
    }

    /// <summary>
    /// Records the layer on <paramref name="tape"/> in <paramref name="mode"/>: its output node, whose backward gives the
    /// gradient of <paramref name="x"/> (when <see cref="Node.RequiresGrad"/>) and of each parameter node, and its buffers
    /// after the forward (updated in training, as given in evaluation; <paramref name="state"/> itself is never changed).
    /// </summary>
    /// <param name="tape">The tape the nodes belong to.</param>
    /// <param name="x">(n, features) input.</param>
    /// <param name="parameters">Parameter nodes in <see cref="ParameterSpecs"/> order and shapes.</param>
    /// <param name="state">The buffers before the forward (<see cref="InitState"/> at first; <see cref="LayerState.Empty"/> for a layer without any).</param>
    /// <param name="mode">Training (with the seed of the random draws) or evaluation.</param>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the specs, or the input does not fit the layer.</exception>
    public LayerOutput Record(Tape tape, Node x, IReadOnlyList<Node> parameters, LayerState state, ForwardMode mode)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(state);
        CheckParameters(parameters.Select(p => p.Value).ToArray(), "Forward");
        CheckState(state, "Forward");
        var r = forward(tape, x, parameters, state, mode);
        CheckState(r.State, "Forward (returned state)");
        return r;
    }

    /// <summary>
    /// Records the layer on <paramref name="tape"/>: its output node, whose backward gives the gradient of
    /// <paramref name="x"/> (when <see cref="Node.RequiresGrad"/>) and of each parameter node. For layers that do not
    /// depend on the mode; Dropout and BatchNorm1d need <see cref="Record(Tape, Node, IReadOnlyList{Node}, LayerState, ForwardMode)"/>.
    /// </summary>
    /// <param name="tape">The tape the nodes belong to.</param>
    /// <param name="x">(n, features) input.</param>
    /// <param name="parameters">Parameter nodes in <see cref="ParameterSpecs"/> order and shapes.</param>
    /// <exception cref="ArgumentException">The parameters do not match the specs, or the input does not fit the layer.</exception>
    /// <exception cref="InvalidOperationException">The layer depends on the mode (<see cref="DependsOnMode"/>).</exception>
    public Node Record(Tape tape, Node x, IReadOnlyList<Node> parameters)
    {
        if (DependsOnMode)
            throw new InvalidOperationException($"{Name} computes something else in training than in evaluation: record it with Record(tape, x, parameters, state, mode).");
        return Record(tape, x, parameters, LayerState.Empty, ForwardMode.Eval).Output;
    }

    /// <summary>The layer's output alone, in evaluation mode (PyTorch: <c>layer.eval(); with torch.no_grad(): layer(x)</c>).</summary>
    /// <param name="parameters">Values in <see cref="ParameterSpecs"/> order and shapes.</param>
    /// <param name="x">(n, features) input.</param>
    /// <exception cref="ArgumentException">The parameters do not match the specs, or the input does not fit the layer.</exception>
    /// <exception cref="InvalidOperationException">The layer has buffers: use <see cref="Predict(IReadOnlyList{Tensor}, LayerState, Tensor)"/>.</exception>
    public Tensor Predict(IReadOnlyList<Tensor> parameters, Tensor x)
    {
        if (BufferSpecs.Count + CountNames.Count > 0)
            throw new InvalidOperationException($"{Name} has buffers ({string.Join(", ", BufferSpecs.Select(b => b.Name).Concat(CountNames))}): predict with Predict(parameters, state, x).");
        return Predict(parameters, LayerState.Empty, x);
    }

    /// <summary>The layer's output alone, in evaluation mode with the buffers <paramref name="state"/>.</summary>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the specs, or the input does not fit the layer.</exception>
    public Tensor Predict(IReadOnlyList<Tensor> parameters, LayerState state, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        var tape = new Tape();
        return Record(tape, tape.Constant(x), parameters.Select(tape.Constant).ToArray(), state, ForwardMode.Eval).Output.Value;
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

    private void CheckState(LayerState state, string what)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Tensors.Count != BufferSpecs.Count || state.Counts.Count != CountNames.Count)
            throw new ArgumentException($"{Name} {what}: {state.Tensors.Count} buffer tensors and {state.Counts.Count} counts where {BufferSpecs.Count} ({string.Join(", ", BufferSpecs.Select(s => s.Name))}) and {CountNames.Count} ({string.Join(", ", CountNames)}) are expected.");
        for (int i = 0; i < BufferSpecs.Count; i++)
            if (!state.Tensors[i].Shape.SequenceEqual(BufferSpecs[i].Shape))
                throw new ArgumentException($"{Name} {what}: buffer '{BufferSpecs[i].Name}' has shape {Tensor.ShapeString(state.Tensors[i].Shape)} where {Tensor.ShapeString(BufferSpecs[i].Shape)} is expected.");
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
        { InputFeatures = inFeatures, IsBuiltInLinear = true };
    }

    private static Tensor[] TorchDefault(Rng rng, int inFeatures, int outFeatures)
    {
        var (w, b) = Mlp.Init.TorchLinearDefault(rng, inFeatures, outFeatures);
        return [w, b];
    }

    /// <summary>Rectified linear unit <c>max(x, 0)</c>, relu'(0) = 0. PyTorch: <c>nn.ReLU()</c>.</summary>
    public static Layer Relu() => new("ReLU()", [], _ => [], static (t, x, _) => t.Relu(x), builtIn: true) { ReluShift = 0f };

    /// <summary>The lesson's shifted relu <c>max(x, 0) + shift</c> (the lesson uses −0.5). PyTorch: <c>F.relu(x) + shift</c>.</summary>
    public static Layer ShiftedRelu(float shift) =>
        new($"ShiftedReLU({shift.ToString("R", CultureInfo.InvariantCulture)})", [], _ => [], (t, x, _) => t.ShiftedRelu(x, shift), builtIn: true) { ReluShift = shift };

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
