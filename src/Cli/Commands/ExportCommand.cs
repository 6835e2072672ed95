using System.CommandLine;
using System.Text.Json.Nodes;
using Mlp.Onnx;
using Mlp.Serialization;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary><c>mlp export</c>: a saved model as a standard ONNX graph (<see cref="OnnxExport"/>).</summary>
internal static class ExportCommand
{
    private static readonly Option<string?> ModelPath = Required(Opt.InputFile("--model", "-m", "a .safetensors model written by mlp train --save", ".safetensors"));
    private static readonly Option<string?> OnnxPath = Required(Opt.OutputFile("--onnx", "-o", "the .onnx file to write", ".onnx"));
    private static readonly Option<bool> Softmax = Opt.Flag("--softmax", $"also output '{OnnxExport.ProbabilitiesName}', the softmax of the logits");
    private static readonly Option<bool> Json = Opt.Json();

    public static Command Create()
    {
        var c = new Command("export",
            "Writes a saved model as an ONNX graph for ONNX Runtime, ML.NET's ApplyOnnxModel or any ONNX consumer.\n\n" +
            $"The graph (opset {OnnxExport.Opset}) takes '{OnnxExport.InputName}', raw features (batch, features), and outputs " +
            $"'{OnnxExport.LogitsName}', what mlp eval computes (evaluation mode); the input normalization stored in the model file becomes Sub " +
            "and Div nodes in front, each Linear a Gemm, ReLU/LeakyReLU/Tanh/Sigmoid/Softmax/LogSoftmax their ONNX ops, ShiftedReLU a Relu " +
            "then Sub, GELU Erf (or Tanh) arithmetic, Dropout an Identity, and BatchNorm1d a BatchNormalization with the stored running statistics.")
        {
            ModelPath, OnnxPath, Softmax, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static Option<string?> Required(Option<string?> o)
    {
        o.Required = true;
        return o;
    }

    private static int Run(ParseResult p)
    {
        string model = p.GetValue(ModelPath)!, onnx = p.GetValue(OnnxPath)!;
        var r = new Report(p.GetValue(Json));
        SavedModel saved = ModelFile.Load(model);
        try
        {
            OnnxExport.Save(onnx, saved, new OnnxExportOptions(IncludeSoftmax: p.GetValue(Softmax)));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"mlp export: {model}: {e.Message}");
        }
        r.Section("export", "ONNX export");
        r.Fact("model", model, $"model: {model} ({saved.Model.Architecture})");
        r.Fact("onnx", onnx, $"wrote {onnx} ({new FileInfo(onnx).Length} bytes, opset {OnnxExport.Opset})");
        r.Fact("opset", OnnxExport.Opset, "");
        r.Fact("normalization", saved.Normalization is { } n ? new JsonObject { ["mean"] = n.Mean, ["std"] = n.Std } : null,
            saved.Normalization is { } m
                ? $"inputs normalized in the graph with mean {F(m.Mean)}, std {F(m.Std)}"
                : "the model file stores no normalization: the graph takes normalized inputs");
        string[] outputs = p.GetValue(Softmax) ? [OnnxExport.LogitsName, OnnxExport.ProbabilitiesName] : [OnnxExport.LogitsName];
        r.Fact("outputs", new JsonArray(outputs.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray()),
            $"input '{OnnxExport.InputName}', outputs '{OnnxExport.LogitsName}'" + (p.GetValue(Softmax) ? $", '{OnnxExport.ProbabilitiesName}'" : ""));
        r.Finish();
        return 0;
    }
}
