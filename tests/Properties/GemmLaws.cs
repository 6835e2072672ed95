using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mlp.Kernels;
using static Mlp.Tests.Core.GemmReference;

namespace Mlp.Tests.Properties;

public class GemmLaws
{
    private static readonly SimdPath[] VectorPaths = [SimdPath.Vector256, SimdPath.Vector512, SimdPath.Auto];

    // Shapes from 0 to 40 (k to 300, so some products cross a k block), all transposes, every path.
    [Property(MaxTest = 150)]
    public Property Gemm_matches_double_precision_and_every_path_equals_the_scalar_path_bit_for_bit(
        byte m8, byte n8, ushort k16, bool ta, bool tb, int seed)
    {
        int m = m8 % 41, n = n8 % 41, k = k16 % 301;
        float[] a = Random(m * k, seed), b = Random(k * n, seed ^ 0x5bd1e995);
        float[] scalar = Run(SimdPath.Scalar, 1, ta, tb, m, n, k, a, b);
        var (expected, abs) = Product(ta, tb, m, n, k, a, b);
        bool close = true;
        for (int e = 0; e < scalar.Length; e++)
            close &= Math.Abs(scalar[e] - expected[e]) <= 1e-6 * abs[e] * Math.Max(1, Math.Sqrt(k)) + 1e-30;
        bool same = VectorPaths.All(p => Run(p, 2, ta, tb, m, n, k, a, b).AsSpan().SequenceEqual(scalar));
        // And every candidate plan (tile shape × width), forced, on one thread and two.
        bool plans = GemmPlan.All.All(g => Run(SimdPath.Auto, 1 + (seed & 1), ta, tb, m, n, k, a, b, g).AsSpan().SequenceEqual(scalar));
        return (close && same && plans).ToProperty()
            .Label($"({m}×{k})·({k}×{n}) transA={ta} transB={tb} seed={seed}: close={close} same bits={same} every plan={plans}");
    }

    [Property(MaxTest = 50)]
    public Property Each_row_of_the_product_depends_only_on_that_row_of_a(byte m8, byte n8, byte k8, int seed)
    {
        // The product of stacked A equals the stack of the two products, bit for bit (row splits never change a bit).
        int m = 1 + m8 % 20, n = 1 + n8 % 40, k = 1 + k8 % 60;
        float[] a1 = Random(m * k, seed), a2 = Random(m * k, seed + 1), b = Random(k * n, seed + 2);
        float[] stacked = Run(SimdPath.Auto, 2, false, false, 2 * m, n, k, [.. a1, .. a2], b);
        float[] c1 = Run(SimdPath.Auto, 2, false, false, m, n, k, a1, b), c2 = Run(SimdPath.Auto, 2, false, false, m, n, k, a2, b);
        return stacked.AsSpan().SequenceEqual([.. c1, .. c2]).ToProperty().Label($"m={m} n={n} k={k} seed={seed}");
    }

    private static float[] Run(SimdPath path, int threads, bool ta, bool tb, int m, int n, int k, float[] a, float[] b, GemmPlan? plan = null)
    {
        var c = new float[m * n];
        Array.Fill(c, float.NaN);
        Gemm.Multiply(ta, tb, m, n, k, a, b, c, [], new KernelOptions(path, threads, plan, ForceThreads: true));
        return c;
    }
}
