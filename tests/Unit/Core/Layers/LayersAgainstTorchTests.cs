using Mlp.Numpy;
using Mlp.Tests.Reference;

namespace Mlp.Tests.Core;

/// <summary>
/// Tanh, Sigmoid, GELU, Dropout and BatchNorm1d against PyTorch float64 (fixtures from tools/torch_layers_reference.py):
/// forward and every gradient within 1e-5 norm-relative.
/// </summary>
public class LayersAgainstTorchTests
{
    private const double Rtol = 1e-5;

    private sealed class Fixture(string name)
    {
        private readonly NpzArchive npz = NpzReader.Read(Fixtures.Torch(Path.Combine("layers", name + ".npz")));
        public Tensor this[string key] => npz[key].ToTensor();
        public void Matches(string key, Tensor? ours)
        {
            Assert.NotNull(ours);
            var e = ReferenceError.Of(key, ours, this[key]);
            Assert.True(e.Within(Rtol), $"{name}: {key} is off PyTorch by {e.NormRelativeError:E2} (norm-relative), {e.MaxAbsError:E2} (max abs); tolerance {Rtol:E0}.");
        }
    }

    private static void Elementwise(string name, Func<Tensor, Vjp<Tensor>> layer)
    {
        var f = new Fixture(name);
        var (y, back) = layer(f["x"]);
        f.Matches("out", y);
        f.Matches("x_grad", back(f["dy"]));
    }

    [Fact] public void Tanh_matches_pytorch() => Elementwise("tanh", Tanh.Forward);
    [Fact] public void Sigmoid_matches_pytorch() => Elementwise("sigmoid", Sigmoid.Forward);
    [Fact] public void Exact_gelu_matches_pytorch() => Elementwise("gelu_none", x => Gelu.Forward(x, GeluApproximation.None));
    [Fact] public void Tanh_approximated_gelu_matches_pytorch() => Elementwise("gelu_tanh", x => Gelu.Forward(x, GeluApproximation.Tanh));
    [Fact] public void Softmax_layer_matches_pytorch() => Elementwise("softmax", Softmax.Forward);
    [Fact] public void LogSoftmax_layer_matches_pytorch() => Elementwise("log_softmax", LogSoftmax.Forward);

    [Fact]
    public void Dropout_with_torchs_keep_pattern_matches_pytorchs_scaling()
    {
        var f = new Fixture("dropout_p0.3");
        Elementwise("dropout_p0.3", x => Dropout.Forward(x, f["keep"], 0.3));
    }

    [Fact]
    public void BatchNorm1d_in_training_matches_pytorch_output_gradients_and_running_statistics()
    {
        var f = new Fixture("batchnorm_train");
        var (vjp, stats) = BatchNorm1d.Train(f["x"], f["weight"], f["bias"], new(f["running_mean"], f["running_var"], 3), 0.1, 1e-5);
        var g = vjp.Backward(f["dy"]);
        f.Matches("out", vjp.Output);
        f.Matches("x_grad", g.Dx);
        f.Matches("weight_grad", g.Dweight);
        f.Matches("bias_grad", g.Dbias);
        f.Matches("new_running_mean", stats.RunningMean);
        f.Matches("new_running_var", stats.RunningVar);
        Assert.Equal(4, stats.NumBatchesTracked);
    }

    [Fact]
    public void BatchNorm1d_in_evaluation_matches_pytorch()
    {
        var f = new Fixture("batchnorm_eval");
        var (y, back) = BatchNorm1d.Eval(f["x"], f["weight"], f["bias"], new(f["running_mean"], f["running_var"], 3), 1e-5);
        var g = back(f["dy"]);
        f.Matches("out", y);
        f.Matches("x_grad", g.Dx);
        f.Matches("weight_grad", g.Dweight);
        f.Matches("bias_grad", g.Dbias);
    }

    [Fact]
    public void BatchNorm1d_without_affine_and_with_cumulative_momentum_matches_pytorch()
    {
        var f = new Fixture("batchnorm_train_noaffine");
        var (vjp, stats) = BatchNorm1d.Train(f["x"], null, null, new(f["running_mean"], f["running_var"], 3), null, 1e-5);
        var g = vjp.Backward(f["dy"]);
        f.Matches("out", vjp.Output);
        f.Matches("x_grad", g.Dx);
        Assert.Null(g.Dweight);
        f.Matches("new_running_mean", stats.RunningMean);
        f.Matches("new_running_var", stats.RunningVar);
    }
}
