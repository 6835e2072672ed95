using System.Text.Json;
using Mlp.Data;
using Mlp.Lessons;
using Mlp.Numpy;
using Mlp.Tests.Data;

namespace Mlp.Tests.Reference;

/// <summary>
/// The lesson's whole flow on real data against PyTorch: the same Fashion-MNIST training split, normalized with
/// training statistics, and the same weights give the same initial MSE in Mlp and in PyTorch (tools/torch_lesson_mse.py).
/// </summary>
[Collection(TestData.WholeDatasets)]
public class FashionMnistAgainstTorchTests
{
    private const string Data = TestData.FullFashion;

    [Fact]
    public void Initial_mse_on_the_full_training_split_matches_torch_to_1e_5_relative()
    {
        Assert.True(File.Exists(Path.Combine(Data, "train-images-idx3-ubyte.gz")),
            $"This test needs the full Fashion-MNIST in {Data}: apt-get install dataset-fashion-mnist (CI's .ci/run does this).");
        Python.Require("torch", "numpy");

        // The lesson's init: Kaiming w1 (fan_in = 784, relu gain), w2 = randn/√nh, zero biases; plus a shifted b1 so
        // some units start inactive and the bias path is exercised.
        var rng = new Rng(2024);
        Tensor w1 = Init.KaimingNormal(rng, 784, Lesson.Hidden, FanMode.FanIn, Gain.Relu);
        Tensor b1 = rng.Normal(Lesson.Hidden) * 0.1f;
        Tensor w2 = Init.LeCunNormal(rng, Lesson.Hidden, 1);
        Tensor b2 = Tensor.Zeros(1);
        string weights = Path.Combine(Path.GetTempPath(), $"mlp-lesson-weights-{Guid.NewGuid():N}.npz");
        try
        {
            NpzWriter.WriteTensors(weights, [new("w1", w1), new("b1", b1), new("w2", w2), new("b2", b2)]);
            string json = Python.Run([Path.Combine("tools", "torch_lesson_mse.py"), "--data", Data, "--weights", weights], TimeSpan.FromMinutes(3));
            using var torch = JsonDocument.Parse(json);
            var t = torch.RootElement;

            var (splits, mean, std) = Normalization.ByTrainStatistics(TestData.FullFashionSplits);
            Tensor x = splits.Train.X, y = splits.Train.LabelsAsFloat();
            Assert.Equal(t.GetProperty("n").GetInt32(), splits.Train.Count);
            Assert.Equal(t.GetProperty("features").GetInt32(), splits.Train.Features);
            AssertRelative(t.GetProperty("train_mean").GetDouble(), mean, 1e-5, "train mean");
            AssertRelative(t.GetProperty("train_std").GetDouble(), std, 1e-5, "train std");

            float ours = Mse.Forward(Lesson.Forward(x, w1, b1, w2, b2), y).Output.ToScalar();
            AssertRelative(t.GetProperty("mse").GetDouble(), ours, 1e-5, "initial MSE");
        }
        finally { File.Delete(weights); }
    }

    private static void AssertRelative(double torch, double ours, double rtol, string what)
    {
        double rel = Math.Abs(ours - torch) / Math.Abs(torch);
        Assert.True(rel <= rtol, $"{what}: ours {ours:R}, PyTorch {torch:R}, relative difference {rel:E2} > {rtol:E0}.");
    }
}
