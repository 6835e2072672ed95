using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;
using Onnx;
using Xunit.Abstractions;
using static Mlp.Onnx.Tests.OnnxCheck;

namespace Mlp.Onnx.Tests;

/// <summary>
/// A trained model exported to ONNX and run by ONNX Runtime and by ML.NET's ApplyOnnxModel gives the same 10000
/// Fashion-MNIST test predictions as Mlp (what <c>mlp eval</c> computes), logits within 1e-5.
/// </summary>
public sealed class OnnxExportTests : IClassFixture<OnnxExportTests.Exported>
{
    private const double LogitTolerance = 1e-5;
    private readonly Exported e;
    private readonly ITestOutputHelper output;

    public OnnxExportTests(Exported e, ITestOutputHelper output) => (this.e, this.output) = (e, output);

    /// <summary>Both activations the exporter first knew, trained for one short epoch on 3000 rows so the predictions mean
    /// something, exported with the softmax output.</summary>
    public sealed class Exported() : TrainedExport("model",
        Model.Sequential(Layer.Linear(784, 64), Layer.ShiftedRelu(-0.5f), Layer.Linear(64, 32), Layer.Relu(), Layer.Linear(32, 10)),
        new Sgd(0.1f), rows: 3000, epochs: 1, new OnnxExportOptions(IncludeSoftmax: true));

    [Fact]
    public void Onnx_runtime_reproduces_the_logits_and_all_10000_predictions()
    {
        int n = e.RawTest.Shape[0];
        Assert.Equal(10000, n);
        using var session = new InferenceSession(e.OnnxPath);
        float[] logits = RunOnnxRuntime(session, e.RawTest);
        float[] probabilities = RunOnnxRuntime(session, e.RawTest, OnnxExport.ProbabilitiesName);

        Assert.Equal(n * 10, logits.Length);
        output.WriteLine($"ONNX Runtime on {e.DataSource} t10k: max |logit difference| {MaxAbsDiff(logits, e.Logits.AsSpan()):G3}");
        Assert.True(MaxAbsDiff(logits, e.Logits.AsSpan()) <= LogitTolerance, $"max |logit difference| {MaxAbsDiff(logits, e.Logits.AsSpan())}");
        int[] ours = e.Logits.ArgMaxRows(), theirs = ArgMaxRows(logits, 10);
        Assert.Equal(ours, theirs);

        // The softmax output is the softmax of Mlp's logits.
        float[] expected = e.Logits.AsSpan().ToArray();
        for (int r = 0; r < n; r++) System.Numerics.Tensors.TensorPrimitives.SoftMax(e.Logits.AsSpan().Slice(r * 10, 10), expected.AsSpan(r * 10, 10));
        Assert.True(MaxAbsDiff(probabilities, expected) <= 1e-6, $"max |probability difference| {MaxAbsDiff(probabilities, expected)}");

        // And the accuracy is the one Trainer.Evaluate (mlp eval's computation) reports for the same rows.
        var eval = Trainer.Evaluate(e.Saved.Model, e.Saved.Parameters,
            new Dataset(e.Saved.Normalization!.Value.Apply(e.RawTest), e.TestLabels, "t10k"), Loss.CrossEntropy, 4096);
        Assert.Equal(eval.Accuracy, theirs.Zip(e.TestLabels).Count(p => p.First == p.Second) / (double)n);
        output.WriteLine($"accuracy {eval.Accuracy} on {n} rows, identical predictions");
        Assert.InRange(eval.Accuracy, 0.5, 1.0);   // one short epoch (measured 0.6521 on full Fashion-MNIST): well above chance (0.1)
    }

    [Fact]
    public void Ml_net_apply_onnx_model_reproduces_the_logits_and_all_10000_predictions()
    {
        int n = e.RawTest.Shape[0];
        var ml = new MLContext(seed: 0);
        float[] raw = e.RawTest.ToArray();
        var rows = Enumerable.Range(0, n).Select(r => new PixelsRow { Input = raw.AsSpan(r * 784, 784).ToArray() });
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.ApplyOnnxModel([OnnxExport.LogitsName], [OnnxExport.InputName], e.OnnxPath);
        IDataView scored = pipeline.Fit(data).Transform(data);
        float[][] logits = ml.Data.CreateEnumerable<LogitsRow>(scored, reuseRowObject: false).Select(r => r.Logits).ToArray();

        Assert.Equal(n, logits.Length);
        float[] flat = logits.SelectMany(r => r).ToArray();
        output.WriteLine($"ML.NET ApplyOnnxModel on {e.DataSource} t10k: max |logit difference| {MaxAbsDiff(flat, e.Logits.AsSpan()):G3}");
        Assert.True(MaxAbsDiff(flat, e.Logits.AsSpan()) <= LogitTolerance, $"max |logit difference| {MaxAbsDiff(flat, e.Logits.AsSpan())}");
        Assert.Equal(e.Logits.ArgMaxRows(), ArgMaxRows(flat, 10));
    }

    [Fact]
    public void The_graph_is_standard_onnx_opset_13_with_named_input_and_output_and_the_normalization_as_ops()
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(e.OnnxPath));
        Assert.Equal(OnnxExport.Opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(["Sub", "Div", "Gemm", "Relu", "Sub", "Gemm", "Relu", "Gemm", "Softmax"], proto.Graph.Node.Select(x => x.OpType));
        Assert.Equal(OnnxExport.InputName, proto.Graph.Input.Single().Name);
        Assert.Equal([OnnxExport.LogitsName, OnnxExport.ProbabilitiesName], proto.Graph.Output.Select(o => o.Name));
        var inputShape = proto.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal("batch", inputShape[0].DimParam);
        Assert.Equal(784, inputShape[1].DimValue);

        // The lesson's shifted relu is Relu then Sub 0.5; the normalization is (x − mean) / std with the file's statistics.
        var init = proto.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal(0.5f, init[proto.Graph.Node[4].Input[1]].FloatData.Single());
        Assert.Equal(e.Saved.Normalization!.Value.Mean, init["input_mean"].FloatData.Single());
        Assert.Equal(e.Saved.Normalization!.Value.Std, init["input_std"].FloatData.Single());
        // Gemm weights in PyTorch's (out, in) layout with transB = 1, as torch.onnx exports nn.Linear.
        Assert.Equal([64L, 784L], init["0.weight"].Dims);
        Assert.Equal(1, proto.Graph.Node[2].Attribute.Single(a => a.Name == "transB").I);
    }

    [Fact]
    public void Without_normalization_the_graph_takes_normalized_inputs()
    {
        var model = Model.Perceptron(4, [3], 2);
        var p = model.Init(1);
        byte[] bytes = OnnxExport.Serialize(model, p, normalization: null);
        using var session = new InferenceSession(bytes);
        float[] x = [0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 0f];
        float[] logits = RunOnnxRuntime(session, Tensor.FromArray(x, 2, 4));
        Assert.True(MaxAbsDiff(logits, model.Predict(p, Tensor.FromArray(x, 2, 4)).AsSpan()) <= 1e-6);
        Assert.Equal(["Gemm", "Relu", "Gemm"], ModelProto.Parser.ParseFrom(bytes).Graph.Node.Select(x => x.OpType));
    }

    [Fact]
    public void A_layer_without_an_onnx_equivalent_is_refused_by_name()
    {
        var square = Layer.CreateActivation("Square()", x => new Vjp<Tensor>(x * x, dy => dy * x * 2f));
        var model = Model.Sequential(Layer.Linear(4, 3), square, Layer.Linear(3, 2));
        var ex = Assert.Throws<ArgumentException>(() => OnnxExport.Serialize(model, model.Init(0), null));
        Assert.Contains("layer 1 'Square()' has no ONNX equivalent (the user's own layer)", ex.Message);
        Assert.Contains(string.Join(", ", OnnxExport.SupportedLayers), ex.Message);
    }

    [Fact]
    public void A_batch_norm_model_without_its_buffers_is_refused_saying_where_they_come_from()
    {
        var model = Model.Parse("Linear(4, 3) BatchNorm1d(3) Linear(3, 2)");
        var ex = Assert.Throws<ArgumentException>(() => OnnxExport.Serialize(model, model.Init(0), normalization: null));
        Assert.Contains("1.running_mean, 1.running_var, 1.num_batches_tracked", ex.Message);
        Assert.Contains("got none", ex.Message);
        // With them it exports, and runs as evaluation mode computes.
        using var session = new InferenceSession(OnnxExport.Serialize(model, model.Init(0), model.InitBuffers(), normalization: null));
        var x = new Rng(3).Normal(5, 4);
        Assert.True(MaxAbsDiff(RunOnnxRuntime(session, x), model.Predict(model.Init(0), model.InitBuffers(), x).AsSpan()) <= 1e-6);
    }

    [Fact]
    public void Parameters_that_do_not_match_the_model_are_refused()
    {
        var model = Model.Perceptron(4, [3], 2);
        var ex = Assert.Throws<ArgumentException>(() => OnnxExport.Serialize(model, Model.Perceptron(4, [5], 2).Init(0), null));
        Assert.Contains("should be", ex.Message);
    }

    private sealed class PixelsRow
    {
        [VectorType(784), ColumnName(OnnxExport.InputName)]
        public float[] Input { get; set; } = [];
    }

    private sealed class LogitsRow
    {
        [VectorType(10), ColumnName(OnnxExport.LogitsName)]
        public float[] Logits { get; set; } = [];
    }
}
