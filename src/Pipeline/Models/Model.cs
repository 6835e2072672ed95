using Mlp.Training;

namespace Mlp.Models;

/// <summary>
/// Layers applied one after another, each a value (PyTorch: <c>nn.Sequential</c>). The model holds no weights:
/// <see cref="Init"/> makes immutable named <see cref="Parameters"/> and <see cref="Record(Tape, Node, Parameters)"/> takes them,
/// so training is a pure function from parameters to new parameters.
/// </summary>
/// <remarks>
/// Parameter names follow PyTorch's <c>state_dict</c>: the layer's index, a dot, the layer's own name —
/// <c>Linear, ReLU, Linear</c> has <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, <c>2.bias</c>.
/// </remarks>
public sealed class Model
{
    private readonly Layer[] layers;
    private readonly string[][] names; // names[layer][parameter], e.g. "0.weight"

    /// <summary>A model applying <paramref name="layers"/> in order.</summary>
    /// <exception cref="ArgumentException">There are no layers.</exception>
    public Model(IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = layers.ToArray();
        if (this.layers.Length == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        foreach (var l in this.layers) ArgumentNullException.ThrowIfNull(l, nameof(layers));
        names = new string[this.layers.Length][];
        var specs = new List<ParameterSpec>();
        for (int i = 0; i < this.layers.Length; i++)
        {
            names[i] = this.layers[i].ParameterSpecs.Select(s => $"{i}.{s.Name}").ToArray();
            specs.AddRange(this.layers[i].ParameterSpecs.Select(s => s with { Name = $"{i}.{s.Name}" }));
        }
        ParameterSpecs = specs;
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
        CheckParameters(parameters);
        var leaves = new Node[parameters.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = tape.Parameter(parameters[i].Name, parameters[i].Value);
        return RecordLayers(tape, x, leaves);
    }

    private Node RecordLayers(Tape tape, Node x, Node[] leaves)
    {
        Node h = x;
        int offset = 0;
        foreach (var layer in layers)
        {
            int count = layer.ParameterSpecs.Count;
            h = layer.Record(tape, h, new ArraySegment<Node>(leaves, offset, count));
            offset += count;
        }
        return h;
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
    public LossGradient Gradient(Parameters parameters, Tensor x, int[] labels, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(loss);
        var tape = new Tape();
        Node output = Record(tape, tape.Constant(x), parameters);
        Node l = loss.Record(tape, output, labels);
        Gradients g = tape.Backward(l);
        return new LossGradient(output.Value, l.Value.ToScalar(), Parameters.From(g.Named().Select(kv => new NamedTensor(kv.Key, kv.Value))));
    }

    /// <summary>The output alone, without keeping anything for backward (PyTorch: <c>with torch.no_grad(): model(x)</c>).</summary>
    /// <exception cref="ArgumentException">The parameters do not match the model, or the input does not fit.</exception>
    public Tensor Predict(Parameters parameters, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        CheckParameters(parameters);
        var tape = new Tape();
        var leaves = new Node[parameters.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = tape.Constant(parameters[i].Value);
        return RecordLayers(tape, tape.Constant(x), leaves).Value;
    }

    /// <summary>Predicted classes: the argmax of each output row (PyTorch: <c>model(x).argmax(1)</c>).</summary>
    public int[] PredictClasses(Parameters parameters, Tensor x) => Predict(parameters, x).ArgMaxRows();

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

    /// <summary>A torchinfo-style table for inputs of <paramref name="inputFeatures"/> features: layers, output shapes, parameter counts.</summary>
    public ModelSummary Summary(int inputFeatures) => ModelSummary.Of(this, inputFeatures);

    /// <summary>The architecture on one line, e.g. <c>Linear(784, 100) → ReLU() → Linear(100, 10)</c>.</summary>
    public string Architecture => string.Join(" → ", layers.Select(l => l.Name));

    /// <summary>The summary table when the input size is known (a linear first layer), else the architecture line.</summary>
    public override string ToString() => InputFeatures is { } f ? Summary(f).ToString() : Architecture;
}
