using System.Globalization;
using System.Text.Json;
using Mlp.Data;
using Mlp.Models;
using Mlp.Numpy;
using Mlp.Serialization;
using Mlp.Tests.Reference;

namespace Mlp.Tests.Pipeline;

/// <summary>Model files load into PyTorch's nn.Sequential with load_state_dict(strict=True) and predict what Mlp predicts.</summary>
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
}
