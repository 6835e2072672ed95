namespace Mlp.Models;

/// <summary>
/// Layers applied one after another, each a value (PyTorch: <c>nn.Sequential</c>). The model holds no weights:
/// <see cref="Init"/> makes immutable named <see cref="Parameters"/> and <see cref="Forward(Parameters, Tensor)"/> takes them,
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
    /// Runs the model on a tape: the output and a backward closure mapping the output's gradient to every parameter's
    /// gradient and the input's (PyTorch: <c>y = model(x); y.backward(dy)</c>; JAX: <c>jax.vjp(model, params, x)</c>).
    /// </summary>
    /// <param name="parameters">As made by <see cref="Init"/> (same names and shapes).</param>
    /// <param name="x">(n, features) input.</param>
    /// <exception cref="ArgumentException">The parameters do not match the model, or the input does not fit; the message names the tensor and shapes.</exception>
    public Vjp<ModelGrads> Forward(Parameters parameters, Tensor x) => Forward(parameters, x, needInputGradient: true);

    /// <summary>
    /// As <see cref="Forward(Parameters, Tensor)"/>, but when <paramref name="needInputGradient"/> is false the backward
    /// skips the input gradient (the first layer's <c>dy·wᵀ</c>, a third of a linear layer's cost) and returns a null <c>Dx</c>.
    /// </summary>
    public Vjp<ModelGrads> Forward(Parameters parameters, Tensor x, bool needInputGradient)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        CheckParameters(parameters);
        var tape = new Tape();
        Node input = tape.Input(x);
        var leaves = new Node[parameters.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = tape.Parameter(parameters[i].Name, parameters[i].Value);

        Node h = input;
        int offset = 0;
        for (int li = 0; li < layers.Length; li++)
        {
            int count = layers[li].ParameterSpecs.Count;
            var values = new Tensor[count];
            var inputs = new Node[count + 1];
            inputs[0] = h;
            for (int j = 0; j < count; j++) { values[j] = leaves[offset + j].Value; inputs[j + 1] = leaves[offset + j]; }
            bool needDx = li > 0 || needInputGradient;
            var (y, back) = layers[li].Forward(values, h.Value, needDx);
            h = tape.Record(y, inputs, dy =>
            {
                var g = back(dy);
                var r = new Tensor?[count + 1];
                r[0] = needDx ? g.Dx ?? throw new InvalidOperationException($"Layer {li} ({layers[li].Name}) returned no input gradient.") : null;
                if (g.Dparams.Count != count)
                    throw new InvalidOperationException($"Layer {li} ({layers[li].Name}) returned {g.Dparams.Count} parameter gradients for {count} parameters.");
                for (int j = 0; j < count; j++) r[j + 1] = g.Dparams[j];
                return r;
            });
            offset += count;
        }

        Node output = h;
        return new(output.Value, dy =>
        {
            Gradients g = tape.Backward(output, dy);
            var grads = new NamedTensor[leaves.Length];
            for (int i = 0; i < leaves.Length; i++) grads[i] = new NamedTensor(leaves[i].Name!, g[leaves[i]]);
            return new ModelGrads(Parameters.From(grads), needInputGradient ? g[input] : null);
        });
    }

    /// <summary>The output alone, without recording anything for backward (PyTorch: <c>with torch.no_grad(): model(x)</c>).</summary>
    /// <exception cref="ArgumentException">The parameters do not match the model, or the input does not fit.</exception>
    public Tensor Predict(Parameters parameters, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(x);
        CheckParameters(parameters);
        Tensor h = x;
        int offset = 0;
        for (int li = 0; li < layers.Length; li++)
        {
            int count = layers[li].ParameterSpecs.Count;
            var values = new Tensor[count];
            for (int j = 0; j < count; j++) values[j] = parameters[offset + j].Value;
            h = layers[li].Forward(values, h, needDx: false).Output;
            offset += count;
        }
        return h;
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
