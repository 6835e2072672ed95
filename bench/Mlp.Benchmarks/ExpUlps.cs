using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>
/// <c>--exp-ulps</c>: the softmax's exponential (<see cref="ExpKernel"/>) against the C library's (<see cref="Math.Exp(double)"/>)
/// on 5 million points of [−708, 0] (4 million of [−30, 0], where softmax's shifted logits mostly lie): how many differ and
/// by how many ulps, and how many of their roundings to float differ.
/// </summary>
internal static class ExpUlps
{
    public static void Run()
    {
        var rng = new Random(1);
        long maxUlps = 0;
        int differ = 0, floatsDiffer = 0;
        const int Points = 5_000_000;
        for (int i = 0; i < Points; i++)
        {
            double x = i < 4_000_000 ? -rng.NextDouble() * 30 : -rng.NextDouble() * 708;
            double mine = ExpKernel.Exp(x), libm = Math.Exp(x);
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(mine) - BitConverter.DoubleToInt64Bits(libm));
            if (ulps > 0) differ++;
            maxUlps = Math.Max(maxUlps, ulps);
            if ((float)mine != (float)libm) floatsDiffer++;
        }
        Console.WriteLine($"{Points} points: {differ} ({100.0 * differ / Points:F1} %) differ from the C library's exp, by at most {maxUlps} ulp; " +
            $"as floats {floatsDiffer} differ");
    }
}
