using Mlp.Training;

namespace Mlp.Models;

/// <summary>
/// Layers applied one after another, each a value (PyTorch: <c>nn.Sequential</c>). The model holds no weights:
/// <see cref="Init"/> makes immutable named <see cref="Parameters"/> and <see cref="Record(Tape, Node, Parameters)"/> takes them,
/// so training is a pure function from parameters to new parameters.
/// </summary>
/// <remarks>
/// Parameter names follow PyTorch's <c>state_dict</c>: the layer's index, a dot, the layer's own name —
/// <c>Linear, ReLU, Linear</c> has <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, <c>2.bias</c>. Buffers
/// (BatchNorm1d's running statistics) are a separate immutable <see cref="Buffers"/> value, named the same way
/// (<c>1.running_mean</c>), threaded through training: a training forward returns them updated.
/// </remarks>
public sealed class Model
{
    private readonly Layer[] layers;
    private readonly string[][] names; // names[layer][parameter], e.g. "0.weight"
    private readonly string[][] bufferNames; // bufferNames[layer][buffer], e.g. "1.running_mean"
    private readonly string[][] countNames; // countNames[layer][count], e.g. "1.num_batches_tracked"

    /// <summary>A model applying <paramref name="layers"/> in order.</summary>
    /// <exception cref="ArgumentException">There are no layers.</exception>
    public Model(IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = layers.ToArray();
        if (this.layers.Length == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        foreach (var l in this.layers) ArgumentNullException.ThrowIfNull(l, nameof(layers));
        names = new string[this.layers.Length][];
        bufferNames = new string[this.layers.Length][];
        countNames = new string[this.layers.Length][];
        var specs = new List<ParameterSpec>();
        var buffers = new List<ParameterSpec>();
        for (int i = 0; i < this.layers.Length; i++)
        {
            names[i] = this.layers[i].ParameterSpecs.Select(s => $"{i}.{s.Name}").ToArray();
            specs.AddRange(this.layers[i].ParameterSpecs.Select(s => s with { Name = $"{i}.{s.Name}" }));
            bufferNames[i] = this.layers[i].BufferSpecs.Select(s => $"{i}.{s.Name}").ToArray();
            buffers.AddRange(this.layers[i].BufferSpecs.Select(s => s with { Name = $"{i}.{s.Name}" }));
            countNames[i] = this.layers[i].CountNames.Select(n => $"{i}.{n}").ToArray();
        }
        ParameterSpecs = specs;
        BufferSpecs = buffers;
        CountNames = countNames.SelectMany(c => c).ToArray();
        DependsOnMode = this.layers.Any(l => l.DependsOnMode);
        AllBuiltIn = this.layers.All(l => l.IsBuiltIn);
    }

    /// <summary>
    /// The model a spec describes: layers as PyTorch constructs or prints them, separated by spaces, commas, new lines
    /// or arrows, e.g. <c>Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)</c>, the model's
    /// <see cref="ToString"/> or <see cref="Architecture"/>, or PyTorch's <c>print(nn.Sequential(…))</c>
    /// (<c>Sequential( (0): Linear(in_features=784, out_features=256, bias=True) … )</c>).
    /// </summary>
    /// <exception cref="FormatException">The text is not a list of known layers; the message names the layer and what is wrong.</exception>
    public static Model Parse(string spec) => Parse(spec, LayerRegistry.BuiltIn);

    /// <summary>The model a spec describes (see <see cref="Parse(string)"/>), with the user's own layers from <paramref name="registry"/>.</summary>
    /// <exception cref="FormatException">The text is not a list of layers the registry knows.</exception>
    public static Model Parse(string spec, LayerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(registry);
        var parts = ModelSpec.Split(spec);
        var layers = new Layer[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            try { layers[i] = registry.Parse(parts[i]); }
            catch (FormatException e) { throw new FormatException(parts.Count == 1 ? e.Message : $"layer {i}: {e.Message}", e); }
        }
        return new Model(layers);
    }

    /// <summary><c>nn.Sequential(layers…)</c>.</summary>
    public static Model Sequential(params Layer[] layers) => new(layers);

    /// <summary>
    /// A multi-layer perceptron <c>Linear(inputs, h₁) → ReLU → … → Linear(h_last, outputs)</c> with PyTorch's default init,
    /// e.g. <c>Perceptron(784, [100], 10)</c> is <c>nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))</c>.
    /// </summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">Hidden sizes; empty for a linear model.</param>
    /// <param name="outputs">Outputs (classes).</param>
    public static Model Perceptron(int inputs, IReadOnlyList<int> hidden, int outputs)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var list = new List<Layer>();
        int prev = inputs;
        foreach (int h in hidden)
        {
            list.Add(Layer.Linear(prev, h));
            list.Add(Layer.Relu());
            prev = h;
        }
        list.Add(Layer.Linear(prev, outputs));
        return new Model(list);
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => layers;

    /// <summary>Every parameter with its full name (<c>0.weight</c>) and shape, in order.</summary>
    public IReadOnlyList<ParameterSpec> ParameterSpecs { get; }

    /// <summary>Every float32 buffer with its full name (<c>1.running_mean</c>) and shape, in order (PyTorch: <c>model.buffers()</c>).</summary>
    public IReadOnlyList<ParameterSpec> BufferSpecs { get; }

    /// <summary>Every int64 buffer's full name (<c>1.num_batches_tracked</c>), in order.</summary>
    public IReadOnlyList<string> CountNames { get; }

    /// <summary>True when some layer computes something else in training than in evaluation (Dropout, BatchNorm1d).</summary>
    public bool DependsOnMode { get; }

    /// <summary>
    /// Whether every layer is a built-in one: then nothing of a training step outlives it but what the step returns (no
    /// layer keeps its input or its gradients), which lets the trainer give their arrays back to the pool at once.
    /// </summary>
    internal bool AllBuiltIn { get; }

    /// <summary>The input features the first layer expects, when it says (a linear layer does), else null.</summary>
    public int? InputFeatures => layers[0].InputFeatures;

    /// <summary>Fresh parameters, the same for the same <paramref name="seed"/>. Layer i draws from its own fork of the stream.</summary>
    public Parameters Init(ulong seed)
    {
        var rng = new Rng(seed);
        var items = new List<NamedTensor>();
        for (int i = 0; i < layers.Length; i++)
        {
            var values = layers[i].Init(rng.Fork((ulong)i));
            for (int j = 0; j < values.Count; j++) items.Add(new NamedTensor(names[i][j], values[j]));
        }
        return Parameters.From(items);
    }

    /// <summary>
    /// The initial buffers (PyTorch's: each BatchNorm1d's running mean 0, running variance 1, <c>num_batches_tracked</c> 0);
    /// <see cref="Buffers.Empty"/> for a model without BatchNorm.
    /// </summary>
    public Buffers InitBuffers()
    {
        var tensors = new List<NamedTensor>();
        var counts = new List<KeyValuePair<string, long>>();
        for (int i = 0; i < layers.Length; i++)
        {
            var s = layers[i].InitState();
            for (int j = 0; j < s.Tensors.Count; j++) tensors.Add(new NamedTensor(bufferNames[i][j], s.Tensors[j]));
            for (int j = 0; j < s.Counts.Count; j++) counts.Add(new(countNames[i][j], s.Counts[j]));
        }
        return tensors.Count + counts.Count == 0 ? Buffers.Empty : Buffers.From(tensors, counts);
    }

    /// <summary>
    /// Records the model on <paramref name="tape"/> in <paramref name="mode"/>: each parameter as a leaf named by its
    /// <c>state_dict</c> name, then each layer, layer i in <c>mode.ForLayer(i)</c>. Returns the output node (backward from
    /// it gives <c>grads["0.weight"]</c> …) and the buffers after the forward: updated running statistics in training,
    /// <paramref name="buffers"/> unchanged in evaluation. Nothing passed in is changed (PyTorch: <c>model.train()</c> or
    /// <c>model.eval()</c>, then <c>y = model(x)</c>, with the buffers returned instead of updated in place).
    /// </summary>
    /// <param name="tape">The tape.</param>
    /// <param name="x">(n, features) input: <see cref="Tape.Input"/> for its gradient, <see cref="Tape.Constant"/> to skip it.</param>
    /// <param name="parameters">As made by <see cref="Init"/> (same names and shapes).</param>
    /// <param name="buffers">As made by <see cref="InitBuffers"/> or returned by an earlier training forward.</param>
    /// <param name="mode">Training (with the seed of the random draws) or evaluation.</param>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model, or the input does not fit; the message names the tensor and shapes.</exception>
    public ModelOutput Record(Tape tape, Node x, Parameters parameters, Buffers buffers, ForwardMode mode)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(parameters);
        CheckParameters(parameters);
        CheckBuffers(buffers);
        var leaves = new Node[parameters.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = tape.Parameter(parameters[i].Name, parameters[i].Value);
        return RecordLayers(tape, x, leaves, buffers, mode);
    }

    /// <summary>
    /// Records the model on <paramref name="tape"/>: each parameter as a leaf named by its <c>state_dict</c> name, then
    /// each layer. Backward from the returned node gives <c>grads["0.weight"]</c> … and, when <paramref name="x"/>
    /// requires it, <c>grads[x]</c> (PyTorch: <c>y = model(x); y.backward(dy)</c>; JAX: <c>jax.vjp(model, params, x)</c>).
    /// </summary>
    /// <param name="tape">The tape.</param>
    /// <param name="x">(n, features) input: <see cref="Tape.Input"/> for its gradient, <see cref="Tape.Constant"/> to skip it.</param>
    /// <param name="parameters">As made by <see cref="Init"/> (same names and shapes).</param>
    /// <exception cref="ArgumentException">The parameters do not match the model, or the input does not fit; the message names the tensor and shapes.</exception>
    public Node Record(Tape tape, Node x, Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(parameters);
        RequireModeFree("Record(tape, x, parameters)", "Record(tape, x, parameters, buffers, mode)");
        return Record(tape, x, parameters, Buffers.Empty, ForwardMode.Eval).Output;
    }

    private ModelOutput RecordLayers(Tape tape, Node x, Node[] leaves, Buffers buffers, ForwardMode mode)
    {
        Node h = x;
        int offset = 0, bufferOffset = 0, countOffset = 0;
        var tensors = new List<NamedTensor>(buffers.Tensors.Count);
        var counts = new List<KeyValuePair<string, long>>(buffers.Counts.Count);
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            int count = layer.ParameterSpecs.Count, nb = layer.BufferSpecs.Count, nc = layer.CountNames.Count;
            if (layer.IsBuiltInLinear && i + 1 < layers.Length && layers[i + 1].ReluShift is { } shift)
            {
                // Linear then ReLU/ShiftedReLU as one node (Tape.LinearRelu): the same bits as recording them one by one,
                // with the bias and clamp applied in the product's store and the relu mask and bias gradient in one pass.
                h = tape.LinearRelu(h, leaves[offset], leaves[offset + 1], shift);
                offset += count;
                i++;
                continue;
            }
            var state = nb + nc == 0 ? LayerState.Empty : new LayerState(
                buffers.Tensors.Skip(bufferOffset).Take(nb).Select(t => t.Value).ToArray(),
                buffers.Counts.Skip(countOffset).Take(nc).Select(c => c.Value).ToArray());
            var r = layer.Record(tape, h, new ArraySegment<Node>(leaves, offset, count), state, mode.ForLayer(i));
            h = r.Output;
            for (int j = 0; j < nb; j++) tensors.Add(new NamedTensor(bufferNames[i][j], r.State.Tensors[j]));
            for (int j = 0; j < nc; j++) counts.Add(new(countNames[i][j], r.State.Counts[j]));
            offset += count;
            bufferOffset += nb;
            countOffset += nc;
        }
        return new ModelOutput(h, tensors.Count + counts.Count == 0 ? Buffers.Empty : Buffers.From(tensors, counts));
    }

    /// <summary>
    /// One training gradient in one call: the model's forward on <paramref name="x"/>, the loss against
    /// <paramref name="labels"/>, both on one tape, and the backward from the loss. The input gets no gradient.
    /// PyTorch: <c>loss = loss_fn(model(x), y); loss.backward()</c>; JAX: <c>jax.value_and_grad</c>.
    /// </summary>
    /// <param name="parameters">As made by <see cref="Init"/>.</param>
    /// <param name="x">(n, features) inputs.</param>
    /// <param name="labels">n labels.</param>
    /// <param name="loss">The loss.</param>
    /// <returns>The output, the loss, and the gradient of every parameter under its <c>state_dict</c> name.</returns>
    /// <exception cref="ArgumentException">The parameters, input or labels do not fit; the message names them.</exception>
    /// <exception cref="InvalidOperationException">The model depends on the mode (Dropout, BatchNorm1d): use the overload with buffers and a mode.</exception>
    public LossGradient Gradient(Parameters parameters, Tensor x, int[] labels, Loss loss)
    {
        RequireModeFree("Gradient(parameters, x, labels, loss)", "Gradient(parameters, buffers, x, labels, loss, mode)");
        return Gradient(parameters, Buffers.Empty, x, labels, loss, ForwardMode.Eval);
    }

    /// <summary>
    /// One training gradient in one call, in <paramref name="mode"/> (<see cref="ForwardMode.Train"/> for training): the
    /// forward on <paramref name="x"/>, the loss against <paramref name="labels"/>, both on one tape, and the backward
    /// from the loss. The input gets no gradient. PyTorch: <c>model.train(); loss = loss_fn(model(x), y); loss.backward()</c>.
    /// </summary>
    /// <param name="parameters">As made by <see cref="Init"/>.</param>
    /// <param name="buffers">As made by <see cref="InitBuffers"/> or returned by the previous step.</param>
    /// <param name="x">(n, features) inputs.</param>
    /// <param name="labels">n labels.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="mode">Training with this step's seed, or evaluation.</param>
    /// <returns>The output, the loss, the gradient of every parameter under its <c>state_dict</c> name, and the buffers after the forward.</returns>
    /// <exception cref="ArgumentException">The parameters, buffers, input or labels do not fit; the message names them.</exception>
    public LossGradient Gradient(Parameters parameters, Buffers buffers, Tensor x, int[] labels, Loss loss, ForwardMode mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(loss);
        var tape = new Tape();
        var (output, next) = Record(tape, tape.Constant(x), parameters, buffers, mode);
        Node l = loss.Record(tape, output, labels);
        Gradients g = tape.Backward(l);
        return new LossGradient(output.Value, l.Value.ToScalar(), Parameters.From(g.Named().Select(kv => new NamedTensor(kv.Key, kv.Value)))) { Buffers = next };
    }

    /// <summary>
    /// The output alone in evaluation mode, without keeping anything for backward (PyTorch: <c>model.eval(); with
    /// torch.no_grad(): model(x)</c>). For a model with buffers (BatchNorm1d) use <see cref="Predict(Parameters, Buffers, Tensor)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters do not match the model, the model has buffers, or the input does not fit.</exception>
    public Tensor Predict(Parameters parameters, Tensor x) => Predict(parameters, Buffers.Empty, x);

    /// <summary>The output alone in evaluation mode with the running statistics in <paramref name="buffers"/> (PyTorch: <c>model.eval(); with torch.no_grad(): model(x)</c>).</summary>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model, or the input does not fit.</exception>
    public Tensor Predict(Parameters parameters, Buffers buffers, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        CheckParameters(parameters);
        CheckBuffers(buffers);
        var tape = new Tape();
        var leaves = new Node[parameters.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = tape.Constant(parameters[i].Value);
        return RecordLayers(tape, tape.Constant(x), leaves, buffers, ForwardMode.Eval).Output.Value;
    }

    /// <summary>Predicted classes: the argmax of each output row in evaluation mode (PyTorch: <c>model(x).argmax(1)</c>).</summary>
    public int[] PredictClasses(Parameters parameters, Tensor x) => Predict(parameters, x).ArgMaxRows();

    /// <summary>Predicted classes in evaluation mode with <paramref name="buffers"/>: the argmax of each output row.</summary>
    public int[] PredictClasses(Parameters parameters, Buffers buffers, Tensor x) => Predict(parameters, buffers, x).ArgMaxRows();

    private void CheckParameters(Parameters p)
    {
        if (p.Count != ParameterSpecs.Count)
            throw new ArgumentException($"The model has {ParameterSpecs.Count} parameters ({string.Join(", ", ParameterSpecs.Select(s => s.Name))}); got {p.Count} ({string.Join(", ", p.Names)}).");
        for (int i = 0; i < p.Count; i++)
        {
            var s = ParameterSpecs[i];
            if (p[i].Name != s.Name || !p[i].Value.Shape.SequenceEqual(s.Shape))
                throw new ArgumentException($"Parameter {i} should be '{s.Name}' {Tensor.ShapeString(s.Shape)}; got '{p[i].Name}' {Tensor.ShapeString(p[i].Value.Shape)}.");
        }
    }

    /// <summary>Checks that <paramref name="buffers"/> has this model's buffer names, order and shapes.</summary>
    /// <exception cref="ArgumentException">They differ; the message names the first difference and says where buffers come from.</exception>
    public void CheckBuffers(Buffers buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        string expected = BufferSpecs.Count + CountNames.Count == 0 ? "none" : string.Join(", ", BufferSpecs.Select(s => s.Name).Concat(CountNames));
        string got = buffers.IsEmpty ? "none" : string.Join(", ", buffers.Tensors.Names.Concat(buffers.Counts.Select(c => c.Key)));
        bool ok = buffers.Tensors.Count == BufferSpecs.Count && buffers.Counts.Select(c => c.Key).SequenceEqual(CountNames);
        for (int i = 0; ok && i < BufferSpecs.Count; i++)
            ok = buffers.Tensors[i].Name == BufferSpecs[i].Name && buffers.Tensors[i].Value.Shape.SequenceEqual(BufferSpecs[i].Shape);
        if (!ok)
            throw new ArgumentException($"{Spec} has buffers {expected}; got {got} (model.InitBuffers() makes them, training returns them, a model file stores them).");
    }

    private void RequireModeFree(string call, string instead)
    {
        if (DependsOnMode)
            throw new InvalidOperationException($"{Spec} computes something else in training than in evaluation ({string.Join(", ", layers.Where(l => l.DependsOnMode).Select(l => l.Name).Distinct())}): {call} cannot say which; call {instead}.");
    }

    /// <summary>A torchinfo-style table for inputs of <paramref name="inputFeatures"/> features: layers, output shapes, parameter counts.</summary>
    public ModelSummary Summary(int inputFeatures) => ModelSummary.Of(this, inputFeatures);

    /// <summary>The architecture on one line, e.g. <c>Linear(784, 100) → ReLU() → Linear(100, 10)</c>.</summary>
    public string Architecture => string.Join(" → ", layers.Select(l => l.Name));

    /// <summary>
    /// The layers separated by spaces, e.g. <c>Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)</c>:
    /// what <see cref="Parse(string)"/> reads back into an equal model, and what <c>mlp train --model</c> takes.
    /// </summary>
    public string Spec => string.Join(" ", layers.Select(l => l.Name));

    /// <summary>The model's <see cref="Spec"/>, which <see cref="Parse(string)"/> reads back; <see cref="Summary"/> gives the table.</summary>
    public override string ToString() => Spec;
}
