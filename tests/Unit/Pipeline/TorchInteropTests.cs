using System.Globalization;
using System.Text.Json;
using Mlp.Data;
using Mlp.Models;
using Mlp.Numpy;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Tests.Data;
using Mlp.Tests.Reference;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

/// <summary>Model files load into PyTorch's nn.Sequential with load_state_dict(strict=True) and predict what Mlp predicts.</summary>
[Collection(TestData.WholeDatasets)]
public sealed class TorchInteropTests : IDisposable
{
    private readonly string dir = PipelineFixtures.TempDir();

    public void Dispose() => Directory.Delete(dir, true);

    [Theory]
    [InlineData("perceptron")]
    [InlineData("two_hidden_shifted_relu")]
    public void A_saved_model_loads_into_pytorch_and_gives_the_same_predictions(string kind)
    {
        Python.Require("torch", "numpy");
        var model = kind == "perceptron"
            ? Model.Perceptron(784, [100], 10)
            : Model.Sequential(Layer.Linear(20, 16), Layer.ShiftedRelu(-0.5f), Layer.Linear(16, 8), Layer.Relu(), Layer.Linear(8, 5));
        int features = model.InputFeatures!.Value;
        var p = model.Init(11);
        const float mean = 0.25f, std = 0.5f;
        Tensor x = new Rng(5).Uniform([64, features], 0, 1);
        Tensor logits = model.Predict(p, Normalization.Normalize(x, mean, std));
        int[] predicted = logits.ArgMaxRows();

        string modelPath = Path.Combine(dir, "model.safetensors"), predPath = Path.Combine(dir, "preds.npz");
        ModelFile.Save(modelPath, model, p, new Dictionary<string, string>
        {
            ["mlp.input_mean"] = mean.ToString("R", CultureInfo.InvariantCulture),
            ["mlp.input_std"] = std.ToString("R", CultureInfo.InvariantCulture),
        });
        NpzWriter.Write(predPath, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromTensor(x),
            ["labels"] = NpyArray.FromInt64(predicted.Select(v => (long)v).ToArray(), [64]),
            ["logits"] = NpyArray.FromTensor(logits),
            ["predicted"] = NpyArray.FromInt64(predicted.Select(v => (long)v).ToArray(), [64]),
        });

        string output = Python.Run(["tools/torch_load_safetensors.py", modelPath, predPath, "--atol", "1e-5"], TimeSpan.FromMinutes(3));
        var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(64, report.GetProperty("same_predictions").GetInt32());
        Assert.True(report.GetProperty("max_abs_logit_diff").GetDouble() <= 1e-5, output);
    }

    /// <summary>
    /// Issue 14's acceptance: a model with every new layer trains on Fashion-MNIST; PyTorch loads its file strictly into
    /// the nn.Sequential its layer names construct and, in eval mode, predicts the same 10000 test classes, logits within
    /// 1e-4. PyTorch's printed form of each module parses back to the same Mlp layer. Softmax, which would starve the
    /// training signal inside the network, is checked as a final layer appended to the trained model.
    /// </summary>
    [Fact]
    public void A_model_with_every_new_layer_trained_on_fashion_mnist_loads_strictly_into_pytorch_with_the_same_test_predictions()
    {
        Assert.True(TestData.HasFullFashion,
            $"This test needs the full Fashion-MNIST in {TestData.FullFashion}: apt-get install dataset-fashion-mnist (CI's .ci/run does this).");
        Python.Require("torch", "numpy");

        var raw = TestData.FullFashionSplits;
        var (splits, mean, std) = Normalization.ByTrainStatistics(raw);
        var model = Model.Parse("Linear(784, 128) BatchNorm1d(128) GELU() Dropout(0.2) Linear(128, 64) BatchNorm1d(64, momentum=None, affine=False) " +
                                "Tanh() Linear(64, 32) GELU(approximate='tanh') Dropout(0.1) Linear(32, 32) Sigmoid() Linear(32, 32) LeakyReLU(0.1) " +
                                "Linear(32, 10) LogSoftmax(dim=1)");
        var opt = new Adam(2e-3f);
        var train = splits.Train.Slice(0, 20000, "first 20000 training rows");
        var result = Trainer.Fit(model, opt, TrainingState.Start(model, opt, 3), train, null, new TrainingOptions(1, 128, 3));
        Assert.Equal(157, result.State.Buffers.Count("1.num_batches_tracked"));
        Assert.Equal(157, result.State.Buffers.Count("5.num_batches_tracked"));

        var withSoftmax = new Model([.. model.Layers, Layer.Softmax()]);
        foreach (var m in new[] { model, withSoftmax })
        {
            Tensor logits = m.Predict(result.State.Parameters, result.State.Buffers, splits.Test!.X);
            int[] predicted = logits.ArgMaxRows();
            double accuracy = predicted.Zip(splits.Test.Labels).Count(t => t.First == t.Second) / (double)predicted.Length;
            Assert.True(accuracy > 0.75, $"one epoch on 20000 rows should reach 75% test accuracy; got {accuracy:F4}");

            string modelPath = Path.Combine(dir, "all-layers.safetensors"), predPath = Path.Combine(dir, "preds.npz");
            ModelFile.Save(modelPath, m, result.State.Parameters, result.State.Buffers, new InputNormalization(mean, std));
            long[] Longs(IEnumerable<int> v) => v.Select(i => (long)i).ToArray();
            NpzWriter.Write(predPath, new Dictionary<string, NpyArray>
            {
                ["x"] = NpyArray.FromTensor(raw.Test!.X),
                ["labels"] = NpyArray.FromInt64(Longs(splits.Test.Labels), [predicted.Length]),
                ["logits"] = NpyArray.FromTensor(logits),
                ["predicted"] = NpyArray.FromInt64(Longs(predicted), [predicted.Length]),
            });

            string output = Python.Run(["tools/torch_load_safetensors.py", modelPath, predPath, "--atol", "1e-4"], TimeSpan.FromMinutes(10));
            var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            Assert.Equal(10000, report.GetProperty("rows").GetInt32());
            Assert.Equal(10000, report.GetProperty("same_predictions").GetInt32());
            Assert.True(report.GetProperty("max_abs_logit_diff").GetDouble() <= 1e-4, output);
            var printed = report.GetProperty("torch_layers").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(m.Layers.Select(l => l.Name), printed.Select(p => Layer.Parse(p).Name));
            Assert.Equal(m.ToString(), Model.Parse(string.Join("\n", printed)).ToString());
        }
    }
}
