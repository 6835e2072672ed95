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
/// <c>ApplyOnnxModel</c> or any ONNX consumer runs: the input normalization as <c>Sub</c> and <c>Div</c> nodes (the
/// same two float operations as <see cref="Normalization.Normalize"/>), each <c>Linear</c> as <c>Gemm</c> with the
/// weight in PyTorch's (out, in) layout and <c>transB = 1</c>, <c>ReLU()</c> as <c>Relu</c>, the lesson's
/// <c>ShiftedReLU(−0.5)</c> as <c>Relu</c> then <c>Sub 0.5</c>, and optionally <c>Softmax</c>. The input is
/// <see cref="InputName"/> (float, (batch, features)); the output is <see cref="LogitsName"/> (float, (batch, classes)).
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
    /// Writes <paramref name="model"/> with <paramref name="parameters"/> to <paramref name="path"/> as an ONNX model.
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to create or replace.</param>
    /// <param name="model">A model of built-in layers: <c>Linear</c>, <c>ReLU</c>, <c>ShiftedReLU</c>.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="normalization">The input normalization to put in front of the model, or null for inputs that are already normalized.</param>
    /// <param name="options">Softmax output and model version; null for the defaults.</param>
    /// <exception cref="ArgumentException">The parameters do not match the model, or a layer has no ONNX equivalent (the message names it).</exception>
    public static void Save(string path, Model model, Parameters parameters, InputNormalization? normalization, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = Serialize(model, parameters, normalization, options);
        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Writes a model read by <see cref="ModelFile.Load(string)"/>, with the normalization stored in its file.</summary>
    /// <exception cref="ArgumentException">A layer has no ONNX equivalent.</exception>
    public static void Save(string path, SavedModel saved, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(saved);
        Save(path, saved.Model, saved.Parameters, saved.Normalization, options);
    }

    /// <summary>The bytes of the ONNX model <see cref="Save(string, Model, Parameters, InputNormalization?, OnnxExportOptions?)"/> writes.</summary>
    /// <exception cref="ArgumentException">The parameters do not match the model, or a layer has no ONNX equivalent.</exception>
    public static byte[] Serialize(Model model, Parameters parameters, InputNormalization? normalization, OnnxExportOptions? options = null) =>
        Build(model, parameters, normalization, options ?? new OnnxExportOptions()).ToByteArray();

    internal static ModelProto Build(Model model, Parameters parameters, InputNormalization? normalization, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        // ToTorch checks the parameters against the model and lays linear weights out as (out, in), as Gemm(transB = 1) wants.
        NamedTensor[] torch = ModelFile.ToTorch(model, parameters);
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

        int p = 0, width = features ?? -1;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            Layer layer = model.Layers[i];
            string y = $"layer{i}";
            var m = SpecPattern().Match(layer.IsBuiltIn ? layer.Name : "");
            switch (m.Success ? m.Groups["type"].Value : "")
            {
                case "Linear":
                {
                    NamedTensor w = torch[p], b = torch[p + 1];
                    p += 2;
                    g.Initializer.Add(Initializer(w));
                    g.Initializer.Add(Initializer(b));
                    var gemm = Node("Gemm", $"{i}.Gemm", [x, w.Name, b.Name], y);
                    gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                    g.Node.Add(gemm);
                    width = w.Value.Shape[0];
                    break;
                }
                case "ReLU":
                    g.Node.Add(Node("Relu", $"{i}.Relu", [x], y));
                    break;
                case "ShiftedReLU":
                {
                    // relu(x) + shift, written as the lesson writes it: relu(x) − 0.5 for shift −0.5.
                    float shift = float.Parse(m.Groups["args"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                    g.Node.Add(Node("Relu", $"{i}.Relu", [x], $"{y}_relu"));
                    g.Initializer.Add(Scalar($"{i}.shift", -shift));
                    g.Node.Add(Node("Sub", $"{i}.Sub", [$"{y}_relu", $"{i}.shift"], y));
                    break;
                }
                default:
                    throw new ArgumentException(
                        $"OnnxExport: layer {i} '{layer.Name}' has no ONNX equivalent; the exporter knows Linear(in, out), ReLU() and ShiftedReLU(shift).",
                        nameof(model));
            }
            x = y;
        }

        // The last node's output is renamed to the graph's output name.
        g.Node[^1].Output[0] = LogitsName;
        g.Input.Add(Value(InputName, features));
        g.Output.Add(Value(LogitsName, width < 0 ? null : width));
        if (options.IncludeSoftmax)
        {
            var softmax = Node("Softmax", "Softmax", [LogitsName], ProbabilitiesName);
            softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            g.Node.Add(softmax);
            g.Output.Add(Value(ProbabilitiesName, width < 0 ? null : width));
        }

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Mlp",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            ModelVersion = options.ModelVersion,
            DocString = $"{model.Architecture}" + (normalization is { } nn ? $"; inputs normalized in the graph: (x − {nn.Mean.ToString("R", CultureInfo.InvariantCulture)}) / {nn.Std.ToString("R", CultureInfo.InvariantCulture)}" : ""),
            Graph = g,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = ModelFile.LayersKey, Value = System.Text.Json.JsonSerializer.Serialize(model.Layers.Select(l => l.Name).ToArray()) });
        if (normalization is { } norm)
            foreach (var kv in norm.ToMetadata()) proto.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
        return proto;
    }

    [GeneratedRegex(@"^(?<type>[A-Za-z]+)\((?<args>[^()]*)\)$")]
    private static partial Regex SpecPattern();

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
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
