using Microsoft.ML.OnnxRuntime;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;
using Onnx;
using Xunit.Abstractions;
using static Mlp.Onnx.Tests.OnnxCheck;

namespace Mlp.Onnx.Tests;

/// <summary>
/// A model holding every built-in layer — BatchNorm1d with and without affine parameters, both GELUs, Dropout, LeakyReLU,
/// Tanh, Sigmoid, the lesson's ShiftedReLU, ReLU, Softmax and LogSoftmax — trained briefly on Fashion-MNIST, saved,
/// loaded and exported: ONNX Runtime and ML.NET's ApplyOnnxModel give the same 10000 test predictions as
/// <see cref="Model.Predict(Parameters, Buffers, Tensor)"/> in evaluation mode (what <c>mlp eval</c> computes), logits within 1e-5.
/// </summary>
public sealed class EveryLayerExportTests : IClassFixture<EveryLayerExportTests.Exported>
{
    private const double LogitTolerance = 1e-5;

    /// <summary>Every built-in layer type, and two of each mode-dependent or variant one.</summary>
    public const string Spec =
        "Linear(784, 64) BatchNorm1d(64) GELU() Dropout(0.2) " +
        "Linear(64, 32) Softmax(dim=1) BatchNorm1d(32, eps=0.0001, momentum=None, affine=False) GELU(approximate='tanh') LeakyReLU(0.1) Tanh() " +
        "Linear(32, 32) Sigmoid() ShiftedReLU(-0.5) ReLU() Linear(32, 10) LogSoftmax(dim=1)";

    private readonly Exported e;
    private readonly ITestOutputHelper output;

    public EveryLayerExportTests(Exported e, ITestOutputHelper output) => (this.e, this.output) = (e, output);

    /// <summary>The model of <see cref="Spec"/>, Adam 1e-3, two epochs on 6000 rows.</summary>
    public sealed class Exported() : TrainedExport("every", Model.Parse(Spec), new Adam(1e-3f), rows: 6000, epochs: 2);

    [Fact]
    public void The_trained_batch_norms_carry_running_statistics_that_are_not_the_initial_ones()
    {
        var buffers = e.Saved.Buffers;
        Assert.Equal(["1.running_mean", "1.running_var", "6.running_mean", "6.running_var"], buffers.Tensors.Names);
        foreach (string n in new[] { "1", "6" })
        {
            Assert.True(buffers.Count($"{n}.num_batches_tracked") > 0);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(buffers[$"{n}.running_mean"].AsSpan()) is > 1e-3f or < -1e-3f, $"{n}.running_mean is still 0");
            Assert.Contains(buffers[$"{n}.running_var"].ToArray(), v => Math.Abs(v - 1) > 1e-3);
        }
        // Evaluation mode uses them: the output differs from the one with the initial statistics.
        var x = e.Saved.Normalization!.Value.Apply(e.RawTest.Rows(0, 100));
        Assert.True(MaxAbsDiff(e.Saved.Model.Predict(e.Saved.Parameters, e.Saved.Model.InitBuffers(), x).AsSpan(), e.Logits.Rows(0, 100).AsSpan()) > 1e-2);
    }

    [Fact]
    public void Onnx_runtime_reproduces_the_logits_and_all_10000_predictions()
    {
        int n = e.RawTest.Shape[0];
        Assert.Equal(10000, n);
        using var session = new InferenceSession(e.OnnxPath);
        float[] logits = RunOnnxRuntime(session, e.RawTest);
        double diff = MaxAbsDiff(logits, e.Logits.AsSpan());
        output.WriteLine($"ONNX Runtime, every layer, {e.DataSource} t10k: max |logit difference| {diff:G3}");
        Assert.True(diff <= LogitTolerance, $"max |logit difference| {diff}");
        int[] theirs = ArgMaxRows(logits, 10);
        Assert.Equal(e.Logits.ArgMaxRows(), theirs);

        // The accuracy is the one Trainer.Evaluate (mlp eval's computation) reports for the same rows, and the brief
        // training learned something (measured 0.6802 on full Fashion-MNIST): well above chance (0.1).
        var eval = Trainer.Evaluate(e.Saved.Model, e.Saved.Parameters, e.Saved.Buffers,
            new Dataset(e.Saved.Normalization!.Value.Apply(e.RawTest), e.TestLabels, "t10k"), Loss.CrossEntropy, 4096);
        Assert.Equal(eval.Accuracy, theirs.Zip(e.TestLabels).Count(p => p.First == p.Second) / (double)n);
        output.WriteLine($"accuracy {eval.Accuracy} on {n} rows, identical predictions");
        Assert.InRange(eval.Accuracy, 0.5, 1.0);
    }

    [Fact]
    public void Ml_net_apply_onnx_model_reproduces_the_logits_and_all_10000_predictions()
    {
        float[] logits = RunMlNet(e.OnnxPath, e.RawTest);
        double diff = MaxAbsDiff(logits, e.Logits.AsSpan());
        output.WriteLine($"ML.NET ApplyOnnxModel, every layer, {e.DataSource} t10k: max |logit difference| {diff:G3}");
        Assert.True(diff <= LogitTolerance, $"max |logit difference| {diff}");
        Assert.Equal(e.Logits.ArgMaxRows(), ArgMaxRows(logits, 10));
    }

    [Fact]
    public void Each_layer_is_its_standard_onnx_form_in_evaluation_mode()
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(e.OnnxPath));
        Assert.Equal(OnnxExport.Opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(
            ["Sub", "Div",
             "Gemm", "BatchNormalization", "Div", "Erf", "Add", "Mul", "Mul", "Identity",
             "Gemm", "Softmax", "BatchNormalization", "Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul", "LeakyRelu", "Tanh",
             "Gemm", "Sigmoid", "Relu", "Sub", "Relu", "Gemm", "LogSoftmax"],
            proto.Graph.Node.Select(x => x.OpType));
        var init = proto.Graph.Initializer.ToDictionary(t => t.Name);
        var nodes = proto.Graph.Node;
        NodeProto Op(string type, int k = 0) => nodes.Where(x => x.OpType == type).ElementAt(k);
        float[] Floats(string name) => init[name].RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(init[name].RawData.Span).ToArray()
            : init[name].FloatData.ToArray();

        // BatchNormalization: X, scale, B, mean, var — the layer's weight and bias and the stored running statistics.
        var bn = Op("BatchNormalization");
        Assert.Equal(["layer0", "1.weight", "1.bias", "1.running_mean", "1.running_var"], bn.Input);
        Assert.Equal(1e-5f, bn.Attribute.Single(a => a.Name == "epsilon").F);
        Assert.Equal(e.Saved.Buffers["1.running_var"].ToArray(), Floats("1.running_var"));
        Assert.Equal(e.Saved.Parameters["1.weight"].ToArray(), Floats("1.weight"));
        // affine=False: scale 1, bias 0; eps from the layer.
        var bn2 = Op("BatchNormalization", 1);
        Assert.All(Floats(bn2.Input[1]), v => Assert.Equal(1f, v));
        Assert.All(Floats(bn2.Input[2]), v => Assert.Equal(0f, v));
        Assert.Equal(32, Floats(bn2.Input[1]).Length);
        Assert.Equal(1e-4f, bn2.Attribute.Single(a => a.Name == "epsilon").F);
        Assert.Equal(e.Saved.Buffers["6.running_mean"].ToArray(), Floats(bn2.Input[3]));

        // Exact GELU: x / √2, then Erf; the tanh form's constants; LeakyReLU's slope; softmaxes over the features.
        Assert.Equal(MathF.Sqrt(2f), Floats(Op("Div", 1).Input[1]).Single());
        Assert.Contains(0.044715f, nodes.Where(x => x.OpType == "Mul").SelectMany(x => x.Input).Where(init.ContainsKey).Select(i => Floats(i).Single()));
        Assert.Equal(0.1f, Op("LeakyRelu").Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(1, Op("Softmax").Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(1, Op("LogSoftmax").Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(OnnxExport.LogitsName, nodes[^1].Output.Single());
        Assert.Equal(10, proto.Graph.Output.Single().Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void Every_built_in_layer_type_is_exported()
    {
        Assert.Equal(LayerRegistry.BuiltIn.Types.Order(StringComparer.Ordinal), OnnxExport.SupportedLayers.Order(StringComparer.Ordinal));
        Assert.Equal(LayerRegistry.BuiltIn.Types.Order(StringComparer.Ordinal), Model.Parse(Spec).Layers.Select(l => l.Name[..l.Name.IndexOf('(')]).Distinct().Order(StringComparer.Ordinal));
    }
}
