using Mlp.Kernels;

namespace Mlp.Tests.Core;

/// <summary>The divergence check's scan finds the first NaN or infinity on every SIMD path, wherever it sits.</summary>
public class FiniteTests
{
    public static readonly TheoryData<string> Paths = new() { "Scalar", "Auto" };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Finds_the_first_non_finite_element_at_every_position_of_every_length_up_to_200(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        var rng = new Random(7);
        float[] bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (int n = 0; n <= 200; n++)
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2e38 - 1e38); // large but finite
            Assert.Equal(-1, Finite.IndexOfNonFinite(x, path));
            for (int at = 0; at < n; at++)
            {
                float saved = x[at];
                x[at] = bad[(n + at) % 3];
                int later = at + 1 + (n + at) % 5;                                      // a second bad value after it
                float savedLater = later < n ? x[later] : 0f;
                if (later < n) x[later] = float.NaN;
                Assert.Equal(at, Finite.IndexOfNonFinite(x, path));
                x[at] = saved;
                if (later < n) x[later] = savedLater;
            }
        }
        Assert.Equal(-1, Finite.IndexOfNonFinite([float.MaxValue, -float.MaxValue, float.Epsilon, -0f], path));
    }

    [Fact]
    public void The_vector_loop_clears_every_whole_chunk_before_the_first_bad_one()
    {
        // Where the CPU has Vector256 the scalar loop must start at the chunk holding the first NaN or infinity, not at 0: a
        // compare that treats all-ones lanes as a float (a NaN, unequal to itself) once sent every element to the scalar loop.
        var x = new float[200];
        for (int i = 0; i < x.Length; i++) x[i] = i - 100.5f;
        bool vector = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;
        Assert.Equal(vector ? 192 : 0, Finite.FinitePrefix(x));
        x[100] = float.NaN;
        Assert.Equal(vector ? 96 : 0, Finite.FinitePrefix(x));
        x[100] = 0;
        x[31] = float.NegativeInfinity;
        Assert.Equal(0, Finite.FinitePrefix(x));
        x[31] = 0;
        x[191] = float.PositiveInfinity;
        Assert.Equal(vector ? 160 : 0, Finite.FinitePrefix(x));
    }
}
