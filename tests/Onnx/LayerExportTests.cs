using Microsoft.ML.OnnxRuntime;
using Mlp.Models;
using Xunit.Abstractions;
using static Mlp.Onnx.Tests.OnnxCheck;

namespace Mlp.Onnx.Tests;

/// <summary>
/// Each built-in layer alone, exported and run by ONNX Runtime on 4000 inputs drawn wide (N(0, 3²), so GELU's and the
/// sigmoid's tails, LeakyReLU's negative side and softmax's saturation are all reached): the output equals evaluation
/// mode's within a few float32 roundings.
/// </summary>
public sealed class LayerExportTests(ITestOutputHelper output)
{
    private const int Features = 16;

    [Theory]
    [InlineData("ReLU()")]
    [InlineData("ShiftedReLU(-0.5)")]
    [InlineData("LeakyReLU(0.2)")]
    [InlineData("Tanh()")]
    [InlineData("Sigmoid()")]
    [InlineData("GELU()")]
    [InlineData("GELU(approximate='tanh')")]
    [InlineData("Softmax(dim=1)")]
    [InlineData("LogSoftmax(dim=1)")]
    [InlineData("Dropout(0.5)")]
    [InlineData("BatchNorm1d(16)")]
    [InlineData("BatchNorm1d(16, eps=0.1, affine=False)")]
    [InlineData("Linear(16, 16)")]
    public void One_layer_matches_evaluation_mode_on_wide_inputs(string spec)
    {
        var model = Model.Parse(spec);
        var rng = new Rng(7);
        var x = rng.Normal(4000, Features) * 3f;
        var parameters = model.Init(1);
        var buffers = model.InitBuffers();
        if (!buffers.IsEmpty)
        {
            // Running statistics as training leaves them: means off zero, variances off one.
            var mean = rng.Normal(Features);
            var variance = rng.Uniform([Features], 0.05f, 4f);
            buffers = Buffers.From([new("0.running_mean", mean), new("0.running_var", variance)], buffers.Counts);
            if (parameters.Count > 0)
                parameters = Parameters.From([new("0.weight", rng.Uniform([Features], 0.5f, 2f)), new("0.bias", rng.Normal(Features))]);
        }
        Tensor expected = model.Predict(parameters, buffers, x);

        using var session = new InferenceSession(OnnxExport.Serialize(model, parameters, buffers, normalization: null));
        float[] actual = RunOnnxRuntime(session, x);
        double diff = MaxAbsDiff(actual, expected.AsSpan());
        double scale = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected.AsSpan()));
        output.WriteLine($"{spec}: max |difference| {diff:G3} on outputs up to {scale:G3}");
        Assert.True(diff <= 4e-7 * Math.Max(1, scale), $"{spec}: max |difference| {diff} on outputs up to {scale}");
    }
}
