namespace Mlp.Tests.Core;

/// <summary>Values and errors of Tanh, Sigmoid, GELU, Dropout, BatchNorm1d and Xavier init beyond the PyTorch fixtures.</summary>
public class NewLayersTests
{
    [Fact]
    public void Dropout_in_evaluation_is_the_identity_and_p_zero_keeps_everything()
    {
        var x = Tensor.FromArray([1, -2, 3, 4], 2, 2);
        Assert.Same(x, Dropout.Eval(x).Output);
        Assert.Equal(x.ToArray(), Dropout.Train(x, 0, new Rng(1)).Output.ToArray());
        Assert.Equal(new float[4], Dropout.Train(x, 1, new Rng(1)).Output.ToArray());   // p = 1 zeroes, no NaN
    }

    [Fact]
    public void Dropout_keeps_about_one_minus_p_and_the_same_seed_gives_the_same_pattern()
    {
        var keep = Dropout.Keep(new Rng(7), [100, 100], 0.3);
        double kept = keep.AsSpan().ToArray().Sum();
        Assert.InRange(kept / 10000, 0.7 - 4 * 0.0046, 0.7 + 4 * 0.0046);              // 4σ of a binomial(10000, 0.7) share
        Assert.Equal(keep.ToArray(), Dropout.Keep(new Rng(7), [100, 100], 0.3).ToArray());
    }

    [Fact]
    public void Dropout_scales_kept_values_and_their_gradients_by_one_over_one_minus_p()
    {
        var (y, back) = Dropout.Forward(Tensor.FromArray([2, 2], 2), Tensor.FromArray([1, 0], 2), 0.5);
        Assert.Equal([4f, 0f], y.ToArray());
        Assert.Equal([6f, 0f], back(Tensor.FromArray([3, 3], 2)).ToArray());
    }

    [Fact]
    public void Dropout_refuses_a_probability_outside_zero_one()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Train(Tensor.Zeros(2), 1.5, new Rng(1)));
        Assert.Contains("1.5", e.Message);
    }

    [Fact]
    public void Gelu_exact_is_x_times_the_normal_cdf_at_known_points()
    {
        var y = Gelu.Forward(Tensor.FromArray([0, 1, -1, -10, 10], 5), GeluApproximation.None).Output;
        // Φ(1) = 0.8413447460685429, Φ(−10) = 7.6198530241605e-24
        Assert.Equal([0f, 0.84134475f, -0.15865525f, -7.6198530e-23f, 10f], y.ToArray());
    }

    [Fact]
    public void BatchNorm1d_training_never_changes_the_statistics_it_was_given()
    {
        var stats = BatchNorm1d.Stats.Initial(2);
        var r = BatchNorm1d.Train(Tensor.FromArray([1, 2, 3, 6], 2, 2), null, null, stats, 0.1, 1e-5);
        Assert.Equal([0f, 0f], stats.RunningMean.ToArray());
        Assert.Equal([1f, 1f], stats.RunningVar.ToArray());
        Assert.Equal(0, stats.NumBatchesTracked);
        Assert.Equal([0.2f, 0.4f], r.Stats.RunningMean.ToArray());   // 0.9·0 + 0.1·(2, 4)
        Assert.Equal([1.1f, 1.7f], r.Stats.RunningVar.ToArray());    // 0.9·1 + 0.1·(2, 8) unbiased
        Assert.Equal(1, r.Stats.NumBatchesTracked);
    }

    [Fact]
    public void BatchNorm1d_training_refuses_a_single_row()
    {
        var e = Assert.Throws<ArgumentException>(() => BatchNorm1d.Train(Tensor.Zeros(1, 3), null, null, BatchNorm1d.Stats.Initial(3), 0.1, 1e-5));
        Assert.Contains("(1, 3)", e.Message);
    }

    [Fact]
    public void BatchNorm1d_with_a_wrong_weight_names_every_shape()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BatchNorm1d.Eval(Tensor.Zeros(4, 3), Tensor.Ones(2), Tensor.Zeros(3), BatchNorm1d.Stats.Initial(3), 1e-5));
        Assert.Contains("x (4, 3)", e.Message);
        Assert.Contains("weight (2,)", e.Message);
        Assert.Contains("running_var (3,)", e.Message);
    }

    [Fact]
    public void Xavier_uniform_stays_within_its_bound_and_xavier_normal_has_its_std()
    {
        double bound = Math.Sqrt(6.0 / (300 + 100));
        var u = Init.XavierUniform(new Rng(3), 300, 100, Gain.Linear);
        Assert.Equal([300, 100], u.ShapeArray());
        Assert.All(u.ToArray(), v => Assert.InRange(v, -bound, bound));
        var w = Init.XavierNormal(new Rng(3), 300, 100, Gain.Tanh).ToArray();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        double expected = 5.0 / 3 * Math.Sqrt(2.0 / 400);
        Assert.InRange(std, expected * (1 - 4 / Math.Sqrt(2 * 30000.0)), expected * (1 + 4 / Math.Sqrt(2 * 30000.0)));   // 4σ of a sample std
    }
}
