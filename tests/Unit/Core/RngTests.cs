namespace Mlp.Tests.Core;

/// <summary>The seeded generator (src/Core/Rng.cs).</summary>
public class RngTests
{
    [Fact]
    public void The_stream_is_xoshiro256_starstar_seeded_by_splitmix64()
    {
        // Reference values from an independent Python transcription of Blackman and Vigna's xoshiro256**
        // with its state filled by four SplitMix64 outputs, so the stream is the same on every machine.
        var r0 = new Rng(0UL);
        Assert.Equal(0x99EC5F36CB75F2B4UL, r0.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, r0.NextUInt64());
        Assert.Equal(0x1A5F849D4933E6E0UL, r0.NextUInt64());
        Assert.Equal(0x6AA594F1262D2D2CUL, r0.NextUInt64());
        var r42 = new Rng(42UL);
        Assert.Equal(0x15780B2E0C2EC716UL, r42.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, r42.NextUInt64());
    }

    [Fact]
    public void The_same_seed_gives_the_same_bits()
    {
        var a = new Rng(123).Normal(1000);
        var b = new Rng(123).Normal(1000);
        Assert.Equal(a.ToArray().Select(BitConverter.SingleToInt32Bits), b.ToArray().Select(BitConverter.SingleToInt32Bits));
        var u1 = new Rng(9).Uniform([50], -1, 1);
        var u2 = new Rng(9).Uniform([50], -1, 1);
        Assert.Equal(u1.ToArray(), u2.ToArray());
    }

    [Fact]
    public void Different_seeds_give_different_streams()
    {
        var a = new Rng(1).Normal(100).ToArray();
        var b = new Rng(2).Normal(100).ToArray();
        Assert.True(a.Zip(b).Count(p => p.First == p.Second) == 0);
    }

    [Fact]
    public void A_signed_seed_is_the_unsigned_seed_of_the_same_bits()
    {
        Assert.Equal(new Rng(ulong.MaxValue).NextUInt64(), new Rng(-1).NextUInt64());
        Assert.Equal(new Rng(5UL).NextUInt64(), new Rng(5).NextUInt64());
    }

    [Fact]
    public void Normal_samples_have_mean_zero_and_std_one_within_five_standard_errors()
    {
        // For N iid N(0,1) samples the sample mean has std 1/√N and the sample std has std ≈ 1/√(2N);
        // five of those bounds a correct generator's failure probability near 6e-7.
        const int n = 200_000;
        var t = new Rng(2024).Normal(n);
        double mean = t.Mean().ToScalar(), std = t.Std().ToScalar();
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(std, 1 - 5 / Math.Sqrt(2.0 * n), 1 + 5 / Math.Sqrt(2.0 * n));
    }

    [Fact]
    public void Normal_samples_have_the_gaussian_tail_fraction_beyond_two_sigma()
    {
        // P(|z| > 2) = 0.0455; the count is binomial, std √(N p (1−p)).
        const int n = 200_000;
        double p = 0.04550026;
        int count = new Rng(77).Normal(n).ToArray().Count(v => Math.Abs(v) > 2);
        Assert.InRange(count, n * p - 5 * Math.Sqrt(n * p * (1 - p)), n * p + 5 * Math.Sqrt(n * p * (1 - p)));
    }

    [Fact]
    public void NextDouble_is_in_the_unit_interval_with_mean_one_half()
    {
        var rng = new Rng(3);
        const int n = 100_000;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, Math.BitDecrement(1.0));
            sum += u;
        }
        // Uniform(0,1) has std √(1/12); the mean of N has std √(1/(12N)).
        Assert.InRange(sum / n, 0.5 - 5 * Math.Sqrt(1 / (12.0 * n)), 0.5 + 5 * Math.Sqrt(1 / (12.0 * n)));
    }

    [Fact]
    public void Uniform_samples_lie_in_the_half_open_interval()
    {
        var t = new Rng(4).Uniform([10_000], -0.25f, 0.75f);
        Assert.All(t.ToArray(), v => Assert.InRange(v, -0.25f, MathF.BitDecrement(0.75f)));
        Assert.True(t.Min().ToScalar() < -0.24f && t.Max().ToScalar() > 0.74f);
    }

    [Fact]
    public void NextInt_stays_below_its_bound_and_hits_every_value()
    {
        var rng = new Rng(8);
        var counts = new int[7];
        for (int i = 0; i < 7000; i++) counts[rng.NextInt(7)]++;
        // Each count is binomial(7000, 1/7): mean 1000, std ≈ 29.3.
        Assert.All(counts, c => Assert.InRange(c, 1000 - 5 * 29.3, 1000 + 5 * 29.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Equal(0, rng.NextInt(1));
    }

    [Fact]
    public void Permutation_contains_every_index_once_and_depends_on_the_seed()
    {
        var p = new Rng(10).Permutation(100);
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.Equal(p, new Rng(10).Permutation(100));
        Assert.NotEqual(p, new Rng(11).Permutation(100));
        Assert.Empty(new Rng(1).Permutation(0));
    }

    [Fact]
    public void Fork_is_deterministic_and_gives_distinct_streams()
    {
        var a = new Rng(5).Fork(1).NextUInt64();
        Assert.Equal(a, new Rng(5).Fork(1).NextUInt64());
        Assert.NotEqual(a, new Rng(5).Fork(2).NextUInt64());
        var parent = new Rng(5);
        var child = parent.Fork(1);
        Assert.NotEqual(parent.NextUInt64(), child.NextUInt64());
    }

    [Fact]
    public void A_uniform_sample_that_would_round_up_to_high_stays_below_it()
    {
        // low + (high − low)·u with u = 1 − 2⁻⁵³ is 1 − 2⁻⁵² in double, which rounds to 1f.
        double u = Math.BitDecrement(1.0);
        Assert.Equal(MathF.BitDecrement(1f), Rng.UniformSample(u, -1f, 1f));
        Assert.Equal(-1f, Rng.UniformSample(0, -1f, 1f));
        Assert.Equal(0f, Rng.UniformSample(0.5, -1f, 1f));
        Assert.Equal(2f, Rng.UniformSample(u, 2f, 2f)); // an empty interval gives its one point
    }
}
