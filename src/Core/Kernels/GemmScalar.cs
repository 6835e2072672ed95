namespace Mlp.Kernels;

/// <summary>
/// The GEMM's scalar path and its specification: the exact order of operations every vector path reproduces.
/// </summary>
/// <remarks>
/// For each element, k is cut into blocks of <see cref="Gemm.KC"/>; within a block the products are chained with fused
/// multiply-adds starting from zero, in ascending k; block sums are then added to C in ascending block order, then the
/// epilogue (<see cref="GemmEpilogue"/>): the bias (if any), the pre-activation copy (if asked), relu + shift (if asked). The vector kernels run exactly this chain in every lane, so all paths agree bit for bit, for any
/// thread count.
/// </remarks>
internal static class GemmScalar
{
    /// <summary>C = op(A)·op(B) (+ bias per column, then the optional pre copy and relu + shift), element order as in the remarks.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        Span<float> pre = default, bool relu = false, float shift = 0f)
    {
        int rsA = transA ? 1 : k, csA = transA ? m : 1;
        int rsB = transB ? 1 : n, csB = transB ? k : 1;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, n)); // no allocation per call
        try
        {
            Span<float> block = rented.AsSpan(0, n);
            for (int i = 0; i < m; i++)
            {
                Span<float> ci = c.Slice(i * n, n);
                if (k == 0) ci.Clear();
                for (int p0 = 0; p0 < k; p0 += Gemm.KC)
                {
                    int p1 = Math.Min(k, p0 + Gemm.KC);
                    block.Clear();
                    for (int p = p0; p < p1; p++)
                    {
                        float aip = a[i * rsA + p * csA];
                        for (int j = 0; j < n; j++) block[j] = MathF.FusedMultiplyAdd(aip, b[p * rsB + j * csB], block[j]);
                    }
                    for (int j = 0; j < n; j++) ci[j] = p0 == 0 ? block[j] : ci[j] + block[j];
                }
                for (int j = 0; j < n; j++)
                {
                    float v = ci[j];
                    if (!bias.IsEmpty) v += bias[j];
                    if (!pre.IsEmpty) pre[i * n + j] = v;
                    if (relu) v = (v <= 0f ? 0f : v) + shift;
                    ci[j] = v;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }
}
