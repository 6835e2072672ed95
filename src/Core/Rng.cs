namespace Mlp;

/// <summary>
/// A seeded random number generator: the same seed gives the same numbers on every run, machine and .NET
/// version (PyTorch: <c>torch.Generator().manual_seed(seed)</c>, though the streams differ from PyTorch's).
/// </summary>
/// <remarks>
/// xoshiro256** seeded through SplitMix64 (Blackman and Vigna); normals by the Box–Muller transform in double.
/// An <see cref="Rng"/> is a cursor over a stream, so it is not thread-safe: give each thread its own,
/// e.g. with <see cref="Fork(ulong)"/>.
/// </remarks>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpare;

    /// <summary>Starts the stream for <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>Starts the stream for a signed seed (same stream as the unsigned value of the same bits).</summary>
    public Rng(int seed) : this(unchecked((ulong)(long)seed)) { }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            ulong hi = Math.BigMul(r, bound, out ulong lo);
            if (lo >= threshold) return (int)hi;
        }
    }

    /// <summary>A standard normal sample (mean 0, std 1).</summary>
    public double NextNormal()
    {
        if (hasSpare) { hasSpare = false; return spareNormal; }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = r * Math.Sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A new generator whose stream depends only on this one's seed history and <paramref name="stream"/>.</summary>
    public Rng Fork(ulong stream) => new(NextUInt64() ^ (stream * 0x9E3779B97F4A7C15UL));

    /// <summary>A permutation of 0…n−1 (Fisher–Yates; PyTorch: <c>torch.randperm</c>).</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>A tensor of standard normal samples (PyTorch: <c>torch.randn</c>).</summary>
    public Tensor Normal(params int[] shape) => Tensor.Create(shape, buf =>
    {
        for (int i = 0; i < buf.Length; i++) buf[i] = (float)NextNormal();
    });

    /// <summary>A tensor of samples uniform in [<paramref name="low"/>, <paramref name="high"/>) (PyTorch: <c>torch.empty(shape).uniform_(low, high)</c>).</summary>
    public Tensor Uniform(int[] shape, float low, float high) => Tensor.Create(shape, buf =>
    {
        for (int i = 0; i < buf.Length; i++) buf[i] = UniformSample(NextDouble(), low, high);
    });

    /// <summary>Maps <paramref name="u"/> in [0, 1) to [<paramref name="low"/>, <paramref name="high"/>) in float32.</summary>
    /// <remarks>
    /// <c>low + (high − low)·u</c> is exact in double, but rounding it to float can land on <paramref name="high"/>
    /// itself (for u within about 2⁻²⁵ of 1); such a sample becomes the largest float below <paramref name="high"/>.
    /// </remarks>
    internal static float UniformSample(double u, float low, float high)
    {
        float v = (float)(low + (high - (double)low) * u);
        return v >= high && low < high ? MathF.BitDecrement(high) : v;
    }
}
