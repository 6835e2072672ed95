namespace Mlp.Tests.Core;

/// <summary>Initializers, fans and gains (src/Core/Init.cs).</summary>
public class InitTests
{
    // Bounds for N samples from a zero-mean law with std σ: the sample mean has std σ/√N and, for a normal,
    // the sample std has std ≈ σ/√(2N). k = 5 makes a false failure about 6e-7 per check.
    private const double K = 5;

    private static void AssertNormalStats(Tensor w, double sigma)
    {
        int n = w.Length;
        double mean = w.Mean().ToScalar(), std = w.Std().ToScalar();
        Assert.InRange(mean, -K * sigma / Math.Sqrt(n), K * sigma / Math.Sqrt(n));
        Assert.InRange(std, sigma * (1 - K / Math.Sqrt(2.0 * n)), sigma * (1 + K / Math.Sqrt(2.0 * n)));
    }

    [Fact]
    public void Gains_are_torchs_calculate_gain_values()
    {
        Assert.Equal(Math.Sqrt(2), Gain.Relu.Value, 15);
        Assert.Equal(1.0, Gain.Linear.Value);
        Assert.Equal(Math.Sqrt(2), Gain.LeakyRelu(0).Value, 15);
        Assert.Equal(Math.Sqrt(2 / 1.0001), Gain.LeakyRelu(0.01).Value, 15);
        Assert.Equal(1.0, Gain.LeakyRelu(1).Value, 15);
        Assert.Equal(Math.Sqrt(1.0 / 3), Gain.LeakyRelu(Math.Sqrt(5)).Value, 15); // nn.Linear's a = √5
        Assert.Equal("relu", Gain.Relu.Name);
    }

    [Fact]
    public void Fan_in_is_the_number_of_inputs_and_fan_out_the_number_of_outputs()
    {
        Assert.Equal(784, Init.Fan(784, 50, FanMode.FanIn));
        Assert.Equal(50, Init.Fan(784, 50, FanMode.FanOut));
        Assert.Equal(Math.Sqrt(2.0 / 784), Init.KaimingStd(784, Gain.Relu), 15);
    }

    [Fact]
    public void LeCunNormal_is_the_lessons_randn_over_root_m_in_the_in_out_layout()
    {
        var w = Init.LeCunNormal(new Rng(1), 784, 50);
        Assert.Equal([784, 50], w.ShapeArray());
        AssertNormalStats(w, 1 / Math.Sqrt(784));
        // Same stream as randn(784, 50) / √784.
        var manual = new Rng(1).Normal(784, 50) * (float)(1 / Math.Sqrt(784));
        Assert.Equal(manual.ToArray(), w.ToArray());
    }

    [Fact]
    public void KaimingNormal_fan_in_with_relu_gain_has_std_root_two_over_fan_in()
    {
        var w = Init.KaimingNormal(new Rng(2), 784, 50, FanMode.FanIn, Gain.Relu);
        Assert.Equal([784, 50], w.ShapeArray());
        AssertNormalStats(w, Math.Sqrt(2.0 / 784));
    }

    [Fact]
    public void KaimingNormal_fan_out_uses_the_number_of_outputs()
    {
        // The lesson's trap: PyTorch's (out, in) layout needs mode='fan_out' to mean 784 on a (784, 50) tensor.
        // Here the layout is (in, out) and FanOut really means the 50 outputs.
        var w = Init.KaimingNormal(new Rng(3), 784, 50, FanMode.FanOut, Gain.Relu);
        Assert.Equal([784, 50], w.ShapeArray());
        AssertNormalStats(w, Math.Sqrt(2.0 / 50));
    }

    [Fact]
    public void KaimingNormal_with_linear_and_leaky_gains_scales_the_std()
    {
        AssertNormalStats(Init.KaimingNormal(new Rng(4), 400, 100, FanMode.FanIn, Gain.Linear), 1 / Math.Sqrt(400));
        double a = 0.2;
        AssertNormalStats(Init.KaimingNormal(new Rng(5), 400, 100, FanMode.FanIn, Gain.LeakyRelu(a)),
            Math.Sqrt(2 / (1 + a * a)) / Math.Sqrt(400));
    }

    [Fact]
    public void KaimingUniform_fills_the_interval_plus_minus_gain_root_three_over_fan()
    {
        var w = Init.KaimingUniform(new Rng(6), 784, 50, FanMode.FanIn, Gain.Relu);
        double bound = Math.Sqrt(2) * Math.Sqrt(3.0 / 784);
        Assert.Equal([784, 50], w.ShapeArray());
        Assert.All(w.ToArray(), v => Assert.InRange(v, -(float)bound, (float)bound)); // float samples, float bound
        // 39200 uniform samples reach within 1% of each end with probability 1 − 0.995^39200.
        Assert.True(w.Max().ToScalar() > 0.99 * bound && w.Min().ToScalar() < -0.99 * bound);
        // U(−b, b) has std b/√3 = gain/√fan, the same as Kaiming normal.
        double sigma = bound / Math.Sqrt(3), n = w.Length;
        Assert.InRange(w.Mean().ToScalar(), -K * sigma / Math.Sqrt(n), K * sigma / Math.Sqrt(n));
        // The sample variance of U(−b,b) has std σ²·√(0.8/N) (fourth moment 9σ⁴/5), so the std has std σ·√(0.2/N).
        Assert.InRange(w.Std().ToScalar(), sigma * (1 - K * Math.Sqrt(0.2 / n)), sigma * (1 + K * Math.Sqrt(0.2 / n)));
    }

    [Fact]
    public void KaimingUniform_fan_out_uses_the_number_of_outputs()
    {
        var w = Init.KaimingUniform(new Rng(7), 100, 30, FanMode.FanOut, Gain.Linear);
        double bound = Math.Sqrt(3.0 / 30);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -(float)bound, (float)bound));
        Assert.True(w.Max().ToScalar() > 0.95 * bound);
    }

    [Fact]
    public void TorchLinearDefault_draws_weight_and_bias_from_plus_minus_one_over_root_in()
    {
        var (w, b) = Init.TorchLinearDefault(new Rng(8), 784, 50);
        double bound = 1 / Math.Sqrt(784);
        Assert.Equal([784, 50], w.ShapeArray());
        Assert.Equal([50], b.ShapeArray());
        Assert.All(w.ToArray(), v => Assert.InRange(v, -(float)bound, (float)bound));
        Assert.All(b.ToArray(), v => Assert.InRange(v, -(float)bound, (float)bound));
        Assert.True(w.Max().ToScalar() > 0.99 * bound && w.Min().ToScalar() < -0.99 * bound);
        Assert.True(b.Max().ToScalar() > 0.5 * bound && b.Min().ToScalar() < -0.5 * bound); // P(fail) = 2·0.75^50
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        Assert.Equal(Init.KaimingNormal(new Rng(9), 10, 5, FanMode.FanIn, Gain.Relu).ToArray(),
                     Init.KaimingNormal(new Rng(9), 10, 5, FanMode.FanIn, Gain.Relu).ToArray());
        Assert.NotEqual(Init.KaimingNormal(new Rng(9), 10, 5, FanMode.FanIn, Gain.Relu).ToArray(),
                        Init.KaimingNormal(new Rng(10), 10, 5, FanMode.FanIn, Gain.Relu).ToArray());
    }

    [Fact]
    public void Non_positive_sizes_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.KaimingNormal(new Rng(1), 0, 5, FanMode.FanIn, Gain.Relu));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.KaimingUniform(new Rng(1), 5, -1, FanMode.FanIn, Gain.Relu));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.LeCunNormal(new Rng(1), 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.TorchLinearDefault(new Rng(1), 3, 0));
    }

    [Fact]
    public void Kaiming_init_keeps_activations_at_unit_scale_through_a_relu_layer_as_the_lesson_shows()
    {
        // The lesson: with x ~ N(0,1) and w ~ N(0, 2/m), relu(x·w) has E[a²] = 1, i.e. mean √(1/π) and std √(1 − 1/π).
        var rng = new Rng(10);
        var x = rng.Normal(2000, 784);
        var w = Init.KaimingNormal(rng, 784, 50, FanMode.FanIn, Gain.Relu);
        var a = Relu.Forward(Ops.MatMul(x, w)).Output;
        Assert.Equal(Math.Sqrt(1 / Math.PI), a.Mean().ToScalar(), 0.05);
        Assert.Equal(Math.Sqrt(1 - 1 / Math.PI), a.Std().ToScalar(), 0.05);
    }
}
