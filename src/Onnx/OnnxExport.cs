using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Mlp.Data;
using Mlp.Models;
using Mlp.Serialization;
using Onnx;

namespace Mlp.Onnx;

/// <summary>What <see cref="OnnxExport"/> writes besides the logits.</summary>
/// <param name="IncludeSoftmax">Also output <see cref="OnnxExport.ProbabilitiesName"/>, the softmax of the logits over classes.</param>
/// <param name="ModelVersion">The ONNX model's <c>model_version</c>.</param>
public sealed record OnnxExportOptions(bool IncludeSoftmax = false, long ModelVersion = 1);

/// <summary>
/// Writes a model as a standard ONNX graph (opset <see cref="Opset"/>) that ONNX Runtime, ML.NET's
/// <c>ApplyOnnxModel</c> or any ONNX consumer runs, computing what the model computes in evaluation mode
/// (<see cref="Model.Predict(Parameters, Buffers, Tensor)"/>, <c>mlp eval</c>): the input normalization as <c>Sub</c>
/// and <c>Div</c> nodes (the same two float operations as <see cref="Normalization.Normalize"/>), then per layer
/// <list type="bullet">
/// <item><c>Linear</c>: <c>Gemm</c> with the weight in PyTorch's (out, in) layout and <c>transB = 1</c>;</item>
/// <item><c>ReLU()</c>: <c>Relu</c>; the lesson's <c>ShiftedReLU(−0.5)</c>: <c>Relu</c> then <c>Sub 0.5</c>;
/// <c>LeakyReLU(slope)</c>: <c>LeakyRelu(alpha = slope)</c>; <c>Tanh()</c>, <c>Sigmoid()</c>: <c>Tanh</c>, <c>Sigmoid</c>;</item>
/// <item><c>GELU()</c>: <c>½·x·(1 + Erf(x/√2))</c> as <c>Div</c>, <c>Erf</c>, <c>Add</c>, <c>Mul</c>, <c>Mul</c> (opset 13
/// has no <c>Gelu</c>); <c>GELU(approximate='tanh')</c>: <c>½·x·(1 + Tanh(√(2/π)·(x + 0.044715·x³)))</c> as <c>Mul</c>,
/// <c>Add</c> and <c>Tanh</c> nodes;</item>
/// <item><c>Softmax(dim=1)</c>, <c>LogSoftmax(dim=1)</c>: <c>Softmax</c>, <c>LogSoftmax</c> with <c>axis = 1</c>;</item>
/// <item><c>Dropout(p)</c>: <c>Identity</c> (dropout does nothing in evaluation);</item>
/// <item><c>BatchNorm1d</c>: <c>BatchNormalization</c> (inference form) with the running mean and variance, the layer's
/// eps, and its weight and bias (<c>affine=False</c>: scale 1, bias 0);</item>
/// </list>
/// and optionally a <c>Softmax</c> output. The input is <see cref="InputName"/> (float, (batch, features)); the output is
/// <see cref="LogitsName"/> (float, (batch, classes)). A user's own layer (<see cref="Layer.Create(string, IReadOnlyList{ParameterSpec}, Func{Rng, IReadOnlyList{Tensor}}, Func{IReadOnlyList{Tensor}, Tensor, Vjp{Tensor[]}})"/>)
/// has no ONNX form and is refused by name.
/// </summary>
public static partial class OnnxExport
{
    /// <summary>The ONNX operator set the graph uses (<c>ai.onnx</c> 13, the first with per-axis <c>Softmax</c>).</summary>
    public const int Opset = 13;

    /// <summary>The graph's input: raw features (before normalization), float (batch, features).</summary>
    public const string InputName = "input";

    /// <summary>The graph's output: the model's logits, float (batch, classes).</summary>
    public const string LogitsName = "logits";

    /// <summary>The optional second output: <c>Softmax(logits, axis = 1)</c>.</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>
    /// Writes <paramref name="model"/> with <paramref name="parameters"/> to <paramref name="path"/> as an ONNX model,
    /// for a model without buffers (no BatchNorm1d).
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to create or replace.</param>
    /// <param name="model">A model of built-in layers (<see cref="SupportedLayers"/>).</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="normalization">The input normalization to put in front of the model, or null for inputs that are already normalized.</param>
    /// <param name="options">Softmax output and model version; null for the defaults.</param>
    /// <exception cref="ArgumentException">The parameters do not match the model, the model has buffers, or a layer has no ONNX equivalent (the message names it).</exception>
    public static void Save(string path, Model model, Parameters parameters, InputNormalization? normalization, OnnxExportOptions? options = null) =>
        Save(path, model, parameters, Buffers.Empty, normalization, options);

    /// <summary>
    /// Writes <paramref name="model"/> with <paramref name="parameters"/> and <paramref name="buffers"/> (BatchNorm1d's
    /// running statistics) to <paramref name="path"/> as an ONNX model of its evaluation mode.
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to create or replace.</param>
    /// <param name="model">A model of built-in layers (<see cref="SupportedLayers"/>).</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="buffers">Its buffers, e.g. <c>result.State.Buffers</c> after training (<see cref="Buffers.Empty"/> for a model without BatchNorm1d).</param>
    /// <param name="normalization">The input normalization to put in front of the model, or null for inputs that are already normalized.</param>
    /// <param name="options">Softmax output and model version; null for the defaults.</param>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model, or a layer has no ONNX equivalent (the message names it).</exception>
    public static void Save(string path, Model model, Parameters parameters, Buffers buffers, InputNormalization? normalization, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = Serialize(model, parameters, buffers, normalization, options);
        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Writes a model read by <see cref="ModelFile.Load(string)"/>, with the buffers and normalization stored in its file.</summary>
    /// <exception cref="ArgumentException">A layer has no ONNX equivalent.</exception>
    public static void Save(string path, SavedModel saved, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(saved);
        Save(path, saved.Model, saved.Parameters, saved.Buffers, saved.Normalization, options);
    }

    /// <summary>The bytes of the ONNX model <see cref="Save(string, Model, Parameters, InputNormalization?, OnnxExportOptions?)"/> writes (a model without buffers).</summary>
    /// <exception cref="ArgumentException">The parameters do not match the model, the model has buffers, or a layer has no ONNX equivalent.</exception>
    public static byte[] Serialize(Model model, Parameters parameters, InputNormalization? normalization, OnnxExportOptions? options = null) =>
        Serialize(model, parameters, Buffers.Empty, normalization, options);

    /// <summary>The bytes of the ONNX model <see cref="Save(string, Model, Parameters, Buffers, InputNormalization?, OnnxExportOptions?)"/> writes.</summary>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model, or a layer has no ONNX equivalent.</exception>
    public static byte[] Serialize(Model model, Parameters parameters, Buffers buffers, InputNormalization? normalization, OnnxExportOptions? options = null) =>
        Build(model, parameters, buffers, normalization, options ?? new OnnxExportOptions()).ToByteArray();

    internal static ModelProto Build(Model model, Parameters parameters, Buffers buffers, InputNormalization? normalization, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(buffers);
        // ToTorch checks the parameters and buffers against the model and lays linear weights out as (out, in), as
        // Gemm(transB = 1) wants; the parameters come first, then the float buffers (running_mean, running_var).
        var (torch, _) = ModelFile.ToTorch(model, parameters, buffers);
        int? features = model.InputFeatures;
        var g = new GraphProto { Name = "mlp" };
        string x = InputName;

        if (normalization is { } n)
        {
            _ = n.ToMetadata();   // checks the statistics are finite with a positive std
            g.Initializer.Add(Scalar("input_mean", n.Mean));
            g.Initializer.Add(Scalar("input_std", n.Std));
            g.Node.Add(Node("Sub", "normalize_sub", [x, "input_mean"], "input_centered"));
            g.Node.Add(Node("Div", "normalize_div", ["input_centered", "input_std"], "input_normalized"));
            x = "input_normalized";
        }

        int p = 0, b = model.ParameterSpecs.Count, width = features ?? -1;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            Layer layer = model.Layers[i];
            NamedTensor[] own = torch[p..(p + layer.ParameterSpecs.Count)], state = torch[b..(b + layer.BufferSpecs.Count)];
            p += own.Length;
            b += state.Length;
            string y = $"layer{i}";
            width = Emit(g, i, layer, own, state, x, y) ?? width;
            x = y;
        }

        // The last node's output is renamed to the graph's output name.
        g.Node[^1].Output[0] = LogitsName;
        g.Input.Add(Value(InputName, features));
        g.Output.Add(Value(LogitsName, width < 0 ? null : width));
        if (options.IncludeSoftmax)
        {
            g.Node.Add(Node("Softmax", "Softmax", [LogitsName], ProbabilitiesName, Int("axis", 1)));
            g.Output.Add(Value(ProbabilitiesName, width < 0 ? null : width));
        }

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Mlp",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            ModelVersion = options.ModelVersion,
            DocString = $"{model.Architecture} (evaluation mode)" + (normalization is { } nn ? $"; inputs normalized in the graph: (x − {nn.Mean.ToString("R", CultureInfo.InvariantCulture)}) / {nn.Std.ToString("R", CultureInfo.InvariantCulture)}" : ""),
            Graph = g,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = ModelFile.LayersKey, Value = System.Text.Json.JsonSerializer.Serialize(model.Layers.Select(l => l.Name).ToArray()) });
        if (normalization is { } norm)
            foreach (var kv in norm.ToMetadata()) proto.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
        return proto;
    }

    /// <summary>The built-in layer types the exporter writes, as <see cref="LayerRegistry.BuiltIn"/> names them.</summary>
    public static IReadOnlyList<string> SupportedLayers { get; } =
        ["Linear", "ReLU", "ShiftedReLU", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d"];

    // Appends layer i's nodes, reading x and writing y, as evaluation mode computes it (what Model.Predict and mlp eval
    // compute); returns the output width when the layer sets it.
    private static int? Emit(GraphProto g, int i, Layer layer, NamedTensor[] parameters, NamedTensor[] buffers, string x, string y)
    {
        var m = SpecPattern().Match(layer.IsBuiltIn ? layer.Name : "");
        string type = m.Success ? m.Groups["type"].Value : "";
        if (!SupportedLayers.Contains(type))
            throw new ArgumentException(
                $"OnnxExport: layer {i} '{layer.Name}' has no ONNX equivalent ({(layer.IsBuiltIn ? "a built-in layer the exporter does not know" : "the user's own layer")}); " +
                $"the exporter writes the built-in layers {string.Join(", ", SupportedLayers)}.",
                "model");
        // The name is the constructor call the built-in printed (LayerRegistry.BuiltIn reads the same text back).
        string[] args = m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string Const(string what, float value)
        {
            g.Initializer.Add(Scalar($"{i}.{what}", value));
            return $"{i}.{what}";
        }
        void Op(string op, string[] inputs, string output, params AttributeProto[] attributes) => g.Node.Add(Node(op, output, inputs, output, attributes));

        switch (type)
        {
            case "Linear":
            {
                NamedTensor w = parameters[0], bias = parameters[1];
                g.Initializer.Add(Initializer(w));
                g.Initializer.Add(Initializer(bias));
                Op("Gemm", [x, w.Name, bias.Name], y, Int("transB", 1));
                return w.Value.Shape[0];
            }
            case "ReLU":
                Op("Relu", [x], y);
                return null;
            case "ShiftedReLU":
                // relu(x) + shift, written as the lesson writes it: relu(x) − 0.5 for shift −0.5.
                Op("Relu", [x], $"{y}_relu");
                Op("Sub", [$"{y}_relu", Const("shift", -ParseFloat(args[0]))], y);
                return null;
            case "LeakyReLU":
                Op("LeakyRelu", [x], y, Float("alpha", args.Length == 0 ? global::Mlp.LeakyRelu.DefaultSlope : ParseFloat(args[0])));
                return null;
            case "Tanh":
                Op("Tanh", [x], y);
                return null;
            case "Sigmoid":
                Op("Sigmoid", [x], y);
                return null;
            case "GELU" when args.Length == 0:
                // x·Φ(x) = ½·x·(1 + erf(x/√2)): opset 13 has Erf but no Gelu (as torch.onnx writes it before opset 20).
                Op("Div", [x, Const("sqrt2", MathF.Sqrt(2f))], $"{y}_scaled");
                Op("Erf", [$"{y}_scaled"], $"{y}_erf");
                Op("Add", [$"{y}_erf", Const("one", 1f)], $"{y}_cdf2");
                Op("Mul", [x, $"{y}_cdf2"], $"{y}_x_cdf2");
                Op("Mul", [$"{y}_x_cdf2", Const("half", 0.5f)], y);
                return null;
            case "GELU":
                // ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
                Op("Mul", [x, x], $"{y}_x2");
                Op("Mul", [$"{y}_x2", x], $"{y}_x3");
                Op("Mul", [$"{y}_x3", Const("cubic", 0.044715f)], $"{y}_cx3");
                Op("Add", [x, $"{y}_cx3"], $"{y}_inner");
                Op("Mul", [$"{y}_inner", Const("sqrt_2_over_pi", (float)Math.Sqrt(2 / Math.PI))], $"{y}_arg");
                Op("Tanh", [$"{y}_arg"], $"{y}_tanh");
                Op("Add", [$"{y}_tanh", Const("one", 1f)], $"{y}_1_tanh");
                Op("Mul", [x, $"{y}_1_tanh"], $"{y}_x_1_tanh");
                Op("Mul", [$"{y}_x_1_tanh", Const("half", 0.5f)], y);
                return null;
            case "Softmax":
            case "LogSoftmax":
                // Layer.Softmax/LogSoftmax only take the feature dimension (dim=1, or −1 printed as 1).
                Op(type, [x], y, Int("axis", 1));
                return null;
            case "Dropout":
                Op("Identity", [x], y);   // the identity in evaluation mode
                return null;
            case "BatchNorm1d":
            {
                // Evaluation mode: γ·(x − running_mean)/√(running_var + eps) + β; affine=False is γ = 1, β = 0.
                NamedTensor mean = buffers[0], variance = buffers[1];
                int c = mean.Value.Shape[0];
                string scale, shift;
                if (parameters.Length == 2)
                {
                    g.Initializer.Add(Initializer(parameters[0]));
                    g.Initializer.Add(Initializer(parameters[1]));
                    (scale, shift) = (parameters[0].Name, parameters[1].Name);
                }
                else
                {
                    g.Initializer.Add(Initializer(new NamedTensor($"{i}.ones", Tensor.Ones(c))));
                    g.Initializer.Add(Initializer(new NamedTensor($"{i}.zeros", Tensor.Zeros(c))));
                    (scale, shift) = ($"{i}.ones", $"{i}.zeros");
                }
                g.Initializer.Add(Initializer(mean));
                g.Initializer.Add(Initializer(variance));
                double eps = global::Mlp.BatchNorm1d.DefaultEps;
                foreach (string a in args.Where(a => a.StartsWith("eps=", StringComparison.Ordinal))) eps = double.Parse(a[4..], NumberStyles.Float, CultureInfo.InvariantCulture);
                Op("BatchNormalization", [x, scale, shift, mean.Name, variance.Name], y, Float("epsilon", (float)eps));
                return null;
            }
            default:
                throw new InvalidOperationException($"OnnxExport: {type} is listed as supported but not written.");
        }
    }

    private static float ParseFloat(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    [GeneratedRegex(@"^(?<type>[A-Za-z][A-Za-z0-9]*)\((?<args>[^()]*)\)$")]
    private static partial Regex SpecPattern();

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static TensorProto Initializer(NamedTensor t)
    {
        var proto = new TensorProto { Name = t.Name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in t.Value.Shape) proto.Dims.Add(d);
        proto.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Value.AsSpan()));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        return proto;
    }

    private static TensorProto Scalar(string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        return proto;
    }

    private static ValueInfoProto Value(string name, int? width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(width is { } w ? new TensorShapeProto.Types.Dimension { DimValue = w } : new TensorShapeProto.Types.Dimension { DimParam = "features" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
