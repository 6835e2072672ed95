using FsCheck;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>
/// Initializer statistics for random fans, modes and gains, within bounds derived from the sample size.
/// </summary>
/// <remarks>
/// For N independent samples of a zero-mean law with std σ, the sample mean has std σ/√N. The sample std has
/// std ≈ √(μ₄ − σ⁴)/(2σ√N): σ/√(2N) for a normal (μ₄ = 3σ⁴) and σ·√(0.2/N) for a uniform (μ₄ = 9σ⁴/5).
/// Every check allows K = 5 of those standard errors, so a correct initializer fails one check with
/// probability P(|Z| &gt; 5) ≈ 5.7e-7.
/// </remarks>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 100)]
public class InitLaws
{
    private const double K = 5;

    private static void AssertMeanAndStd(Tensor w, double sigma, double stdOfStdPerSigma, string what)
    {
        int n = w.Length;
        double mean = w.Mean().ToScalar(), std = w.Std().ToScalar();
        double meanBound = K * sigma / Math.Sqrt(n), stdBound = K * sigma * stdOfStdPerSigma;
        Assert.True(Math.Abs(mean) <= meanBound, $"{what}: mean {mean} outside ±{meanBound} (N = {n}, σ = {sigma})");
        Assert.True(Math.Abs(std - sigma) <= stdBound, $"{what}: std {std} outside {sigma} ± {stdBound} (N = {n})");
    }

    [Property]
    public void Kaiming_normal_has_mean_zero_and_std_gain_over_root_fan(InitCase c)
    {
        var w = Init.KaimingNormal(new Rng(c.Seed), c.In, c.Out, c.Mode, c.Gain);
        Assert.Equal([c.In, c.Out], w.ShapeArray());
        double sigma = c.Gain.Value / Math.Sqrt(c.Mode == FanMode.FanIn ? c.In : c.Out);
        AssertMeanAndStd(w, sigma, 1 / Math.Sqrt(2.0 * w.Length), "KaimingNormal");
    }

    [Property]
    public void Kaiming_uniform_stays_within_its_bound_and_has_std_gain_over_root_fan(InitCase c)
    {
        var w = Init.KaimingUniform(new Rng(c.Seed), c.In, c.Out, c.Mode, c.Gain);
        int fan = c.Mode == FanMode.FanIn ? c.In : c.Out;
        double bound = c.Gain.Value * Math.Sqrt(3.0 / fan);
        // The samples are float32, drawn from [−b, b) with b the bound rounded to float: compare with that.
        Assert.True(w.Abs().Max().ToScalar() <= (float)bound, $"max |w| {w.Abs().Max().ToScalar():R} > bound {(float)bound:R}");
        AssertMeanAndStd(w, bound / Math.Sqrt(3), Math.Sqrt(0.2 / w.Length), "KaimingUniform");
    }

    [Property]
    public void LeCun_normal_has_std_one_over_root_fan_in(InitCase c)
    {
        var w = Init.LeCunNormal(new Rng(c.Seed), c.In, c.Out);
        AssertMeanAndStd(w, 1 / Math.Sqrt(c.In), 1 / Math.Sqrt(2.0 * w.Length), "LeCunNormal");
    }

    [Property]
    public void Torch_linear_default_draws_weight_and_bias_within_one_over_root_fan_in(InitCase c)
    {
        var (w, b) = Init.TorchLinearDefault(new Rng(c.Seed), c.In, c.Out);
        double bound = 1 / Math.Sqrt(c.In);
        Assert.Equal([c.Out], b.ShapeArray());
        // Bounds are compared in float32, as the samples are drawn: a sample may round onto the float bound.
        Assert.True(w.Abs().Max().ToScalar() <= (float)bound && b.Abs().Max().ToScalar() <= (float)bound,
            $"max |w| {w.Abs().Max().ToScalar():R}, max |b| {b.Abs().Max().ToScalar():R}, bound {(float)bound:R}");
        AssertMeanAndStd(w, bound / Math.Sqrt(3), Math.Sqrt(0.2 / w.Length), "TorchLinearDefault weight");
    }

    [Property]
    public void The_same_seed_gives_the_same_bits_and_another_seed_does_not(InitCase c)
    {
        var a = Init.KaimingNormal(new Rng(c.Seed), c.In, c.Out, c.Mode, c.Gain).ToArray();
        var b = Init.KaimingNormal(new Rng(c.Seed), c.In, c.Out, c.Mode, c.Gain).ToArray();
        var other = Init.KaimingNormal(new Rng(c.Seed + 1), c.In, c.Out, c.Mode, c.Gain).ToArray();
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a, other);
    }
}
