namespace Mlp.Tests.Core;

/// <summary>The GEMM's test oracle, shared by tests/Unit and tests/Properties: seeded inputs and a double-precision triple loop.</summary>
internal static class GemmReference
{
    internal static float[] Random(int length, int seed)
    {
        var r = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>op(A)·op(B) in double, and Σ|a||b| per element for the error bound.</summary>
    internal static (double[] C, double[] Abs) Product(bool ta, bool tb, int m, int n, int k, float[] a, float[] b)
    {
        var c = new double[m * n];
        var abs = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[p * m + i] : a[i * k + p], y = tb ? b[j * k + p] : b[p * n + j];
                    c[i * n + j] += x * y;
                    abs[i * n + j] += Math.Abs(x * y);
                }
        return (c, abs);
    }
}
