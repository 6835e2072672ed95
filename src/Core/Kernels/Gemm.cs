using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Kernels;

/// <summary>
/// The one matrix-product kernel: <c>C = op(A)·op(B) (+ bias)</c>, with <c>op</c> the identity or the transpose,
/// so <c>x·w</c>, <c>xᵀ·dy</c> and <c>dy·wᵀ</c> never materialize a transposed operand visible to callers.
/// </summary>
/// <remarks>
/// <para>Long because it is the one place the hard loop is written. The design follows GotoBLAS/BLIS: the operand whose
/// columns become SIMD lanes ("B") is packed into k-major panels of up to 6 vectors (zero-padded), the other ("A") is read in
/// place with its own strides and broadcast, and a register-blocked 4 × 6-vector micro-kernel
/// (<see cref="GemmKernel512"/>, <see cref="GemmKernel256"/>) runs fused multiply-adds over a <see cref="KC"/>-deep block.</para>
/// <para>Tall-skinny shapes: the lanes run along whichever of m or n wastes fewer padded lanes and packs cheaply.
/// <c>x·w</c> (50000×784·784×50) vectorizes along the 50 outputs (7 Vector256 = 56 lanes in panels of 4 and 3, 89% useful; 4 Vector512 would be 78%),
/// streaming x once; <c>xᵀ·dy</c> (784×50000·50000×50) runs as <c>(dyᵀ·x)ᵀ</c> so the 784 columns of x are the lanes (no padding)
/// and x is copied, never transposed; <c>dy·wᵀ</c> (50000×50·50×784) vectorizes along 784 and gathers the small w once.
/// On Zen 4 a Vector512 FMA costs two Vector256 FMAs, so the width is chosen per call by padding (ties go to Vector512).</para>
/// <para>Determinism: each thread owns a fixed range of C (rows, or lane columns) and every element is the same chain of FMAs
/// in ascending k, as <see cref="GemmScalar"/> specifies, so the bits never depend on thread timing, thread count or SIMD path.</para>
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>
    /// Depth of a k block. Fixed for every path and shape: block boundaries decide rounding. 128 keeps a 4-vector Vector256
    /// B panel (16 KB) in L1 and measured ~10% faster than 256 on xᵀ·dy, equal on x·w.
    /// </summary>
    internal const int KC = 128;

    private const int MR = 4;             // rows per micro-tile
    private const int MaxVecs = 6;        // vectors per micro-tile: 4 × 6 accumulators + 6 B vectors + 1 broadcast = 31 of 32 registers
    private const int MC = 64;            // rows per cache block: the C block and A rows stay in L1/L2 across k blocks
    private const int PackBudget = 96 * 1024; // floats of packed B per thread (384 KB, within a 1 MB L2)
    // Multiply-adds below which the product runs on the calling thread. High on purpose: a batch-64 step's products
    // (2.5M) take ~60 µs on one core, and a woken pool thread keeps spinning after its share, slowing the step's
    // element-wise work on a 2-core machine more than the split saves (measured: step 347 µs with the split, 170 without).
    private const long ParallelThreshold = 1 << 23;
    private const int MaxTransposedTemp = 1 << 20;  // floats: larger outputs never take the transposed orientation

    /// <summary>Forces a SIMD path for tests and benchmarks; <see cref="SimdPath.Auto"/> picks per shape.</summary>
    internal static SimdPath Path { get; set; } = SimdPath.Auto;

    /// <summary>Upper bound on worker threads (tests set 1 to check that thread count does not change any bit).</summary>
    internal static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>C = op(A)·op(B) into <paramref name="c"/> (m×n, row-major), overwriting it.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c) =>
        Multiply(transA, transB, m, n, k, a, b, c, default);

    /// <summary>C = op(A)·op(B) + bias (bias of length n, or empty for none) into <paramref name="c"/>, overwriting it.</summary>
    /// <param name="transA">A is stored (k, m) and used transposed; else stored (m, k).</param>
    /// <param name="transB">B is stored (n, k) and used transposed; else stored (k, n).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The contracted size.</param>
    /// <param name="a">A, row-major.</param>
    /// <param name="b">B, row-major.</param>
    /// <param name="c">C (m×n, row-major); every element is written.</param>
    /// <param name="bias">Length n, added to every row after the sum; empty for none.</param>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias) =>
        Multiply(transA, transB, m, n, k, a, b, c, bias, Path, MaxThreads);

    /// <summary>As the other overloads, on a given SIMD path and at most <paramref name="maxThreads"/> threads (tests and benchmarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias, SimdPath requested, int maxThreads)
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n || (!bias.IsEmpty && bias.Length != n))
            throw new ArgumentException($"Gemm: buffers too small for ({m}×{k})·({k}×{n}) (a {a.Length}, b {b.Length}, c {c.Length}, bias {bias.Length}).");
        if (m == 0 || n == 0) return;
        SimdPath path = Effective(requested);
        if (path == SimdPath.Scalar || k == 0)
        {
            GemmScalar.Multiply(transA, transB, m, n, k, a, b, c, bias);
            return;
        }

        nint rsA = transA ? 1 : k, csA = transA ? m : 1;
        nint rsB = transB ? 1 : n, csB = transB ? k : 1;
        bool transposed = ChooseTransposed(m, n, k, csA, csB);
        int width = path == SimdPath.Vector256 ? GemmKernel256.Width : GemmKernel512.Width;
        int lanes = transposed ? m : n;
        if (path == SimdPath.Auto)
            width = RoundUp(lanes, 8) < RoundUp(lanes, 16) ? GemmKernel256.Width : GemmKernel512.Width;

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var plan = transposed
                ? new Plan(n, m, k, (nint)pb, csB, rsB, (nint)pa, csA, rsA, (nint)pc, 1, n, bias.IsEmpty ? 0 : (nint)pbias, 1, 0, width)
                : new Plan(m, n, k, (nint)pa, rsA, csA, (nint)pb, rsB, csB, (nint)pc, n, 1, bias.IsEmpty ? 0 : (nint)pbias, 0, 1, width);
            long work = (long)m * n * k;
            int threads = work < ParallelThreshold ? 1 : Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));
            // Split the dimension whose split duplicates less: rows duplicate the packed B (k × lanes), columns re-read A.
            bool splitRows = plan.N <= plan.M;
            int rowTiles = (plan.M + MR - 1) / MR, vecs = (plan.N + width - 1) / width;
            threads = Math.Min(threads, splitRows ? rowTiles : vecs);
            if (threads <= 1) Worker(plan, splitRows, 0, 1);
            else Parallel.For(0, threads, t => Worker(plan, splitRows, t, threads));
        }
    }

    /// <summary>The operands and strides in kernel orientation: lanes run along N; element (i, j) of C is at C + i·RsC + j·CsC.</summary>
    private readonly record struct Plan(int M, int N, int K,
        nint A, nint RsA, nint CsA, nint B, nint RsB, nint CsB, nint C, nint RsC, nint CsC,
        nint Bias, nint BiasRs, nint BiasCs, int Width);

    internal static SimdPath Effective(SimdPath requested) => requested switch
    {
        SimdPath.Auto when Vector512.IsHardwareAccelerated && Avx512F.IsSupported => SimdPath.Auto,
        SimdPath.Auto when Vector256.IsHardwareAccelerated && Fma.IsSupported => SimdPath.Vector256,
        SimdPath.Auto => SimdPath.Scalar,
        SimdPath.Vector512 when !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) => Effective(SimdPath.Vector256),
        SimdPath.Vector256 when !(Vector256.IsHardwareAccelerated && Fma.IsSupported) => SimdPath.Scalar,
        _ => requested,
    };

    /// <summary>
    /// True to compute Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. with lanes along m. Cost in lane-FMAs: padded lanes × the other size × k, plus
    /// packing (a strided gather costs about 8 lanes an element, a contiguous copy a quarter) and the transposed write-back.
    /// </summary>
    private static bool ChooseTransposed(int m, int n, int k, nint csA, nint csB)
    {
        if ((long)m * n > MaxTransposedTemp) return false;
        double direct = (double)RoundUp(n, 8) * m * k + (double)k * n * (csB == 1 ? 0.25 : 8);
        double transposed = (double)RoundUp(m, 8) * n * k + (double)k * m * (csA == 1 ? 8 : 0.25) + 8.0 * m * n;
        return transposed < 0.95 * direct;
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>One thread's share: a fixed slice of C's row tiles (or of its lane vectors), computed completely.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Worker(Plan p, bool splitRows, int t, int threads)
    {
        int w = p.Width;
        int rowTiles = (p.M + MR - 1) / MR, vecs = (p.N + w - 1) / w;
        int r0 = 0, r1 = p.M, v0 = 0, v1 = vecs;
        if (splitRows)
        {
            r0 = Math.Min(p.M, (int)((long)rowTiles * t / threads) * MR);
            r1 = Math.Min(p.M, (int)((long)rowTiles * (t + 1) / threads) * MR);
        }
        else
        {
            v0 = (int)((long)vecs * t / threads);
            v1 = (int)((long)vecs * (t + 1) / threads);
        }
        if (r0 >= r1 || v0 >= v1) return;

        // Panels of at most MaxVecs vectors, sizes as even as possible (25 vectors → 5, 5, 5, 5, 5).
        int nv = v1 - v0, panels = (nv + MaxVecs - 1) / MaxVecs;
        Span<int> panelStart = stackalloc int[panels + 1];
        for (int q = 0; q <= panels; q++) panelStart[q] = v0 + (int)((long)nv * q / panels);

        // Unit-stride C is written in place; a transposed C is accumulated in a row-major temporary and scattered at the end.
        int colStart = v0 * w, colEnd = Math.Min(p.N, v1 * w);
        bool direct = p.CsC == 1;
        float[]? temp = direct ? null : ArrayPool<float>.Shared.Rent((r1 - r0) * (v1 - v0) * w);
        // Every chunk is at most PackBudget (a group is built to fit one k block) and at most all of k for all panels.
        float[] pack = ArrayPool<float>.Shared.Rent((int)Math.Min(PackBudget, (long)p.K * nv * w));
        try
        {
            fixed (float* tp = temp, pk = pack)
            {
                float* c = direct ? (float*)p.C : tp - (nint)r0 * ((v1 - v0) * w) - colStart;
                nint ldc = direct ? p.RsC : (v1 - v0) * w;
                float* bias = direct ? (float*)p.Bias : null;
                int kBlocks = (p.K + KC - 1) / KC;

                for (int g0 = 0; g0 < panels;)
                {
                    // A group of panels whose one-block packing fits the budget (at least one panel).
                    int g1 = g0 + 1, groupLanes = (panelStart[g0 + 1] - panelStart[g0]) * w;
                    while (g1 < panels && (long)KC * (groupLanes + (panelStart[g1 + 1] - panelStart[g1]) * w) <= PackBudget)
                        groupLanes += (panelStart[g1 + 1] - panelStart[g1++]) * w;

                    for (int kb0 = 0; kb0 < kBlocks;)
                    {
                        // As many consecutive k blocks as fit: all of them for x·w, so each C block stays cached across k.
                        int kb1 = kb0 + 1;
                        while (kb1 < kBlocks && (long)(Math.Min(p.K, (kb1 + 1) * KC) - kb0 * KC) * groupLanes <= PackBudget) kb1++;
                        PackB(p, kb0 * KC, Math.Min(p.K, kb1 * KC), panelStart[g0..(g1 + 1)], w, pk);

                        for (int ic = r0; ic < r1; ic += MC)
                        {
                            int icEnd = Math.Min(r1, ic + MC);
                            float* packed = pk;
                            for (int kb = kb0; kb < kb1; kb++)
                            {
                                int k0 = kb * KC, kc = Math.Min(p.K, k0 + KC) - k0;
                                bool add = kb > 0, last = kb == kBlocks - 1;
                                float* panelB = packed;
                                for (int q = g0; q < g1; q++)
                                {
                                    int vq = panelStart[q + 1] - panelStart[q];
                                    int j0 = panelStart[q] * w, cols = Math.Min(p.N, j0 + vq * w) - j0;
                                    for (int ir = ic; ir < icEnd; ir += MR)
                                    {
                                        float* at = (float*)p.A + ir * p.RsA + k0 * p.CsA;
                                        Tile(w, Math.Min(MR, icEnd - ir), vq, kc, at, p.RsA, p.CsA, panelB,
                                            c + ir * ldc + j0, ldc, cols, add, last && bias != null ? bias + j0 : null);
                                    }
                                    panelB += kc * vq * w;
                                }
                                packed = panelB;
                            }
                        }
                        kb0 = kb1;
                    }
                    g0 = g1;
                }

                if (!direct)
                {
                    float* bs = (float*)p.Bias;
                    for (int i = r0; i < r1; i++)
                        for (int j = colStart; j < colEnd; j++)
                        {
                            float v = c[i * ldc + j];
                            if (bs != null) v += bs[i * p.BiasRs + j * p.BiasCs];
                            ((float*)p.C)[i * p.RsC + j * p.CsC] = v;
                        }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pack);
            if (temp != null) ArrayPool<float>.Shared.Return(temp);
        }
    }

    /// <summary>
    /// Packs op(B)[k0..k1, panels] block by block: for each k block, each panel as kc rows of (vectors · width) floats,
    /// columns past N zero-filled. Contiguous rows are copied; transposed storage is gathered down its contiguous k.
    /// </summary>
    private static void PackB(in Plan p, int k0, int k1, ReadOnlySpan<int> panelStart, int w, float* dst)
    {
        float* b = (float*)p.B;
        for (int kb = k0; kb < k1; kb += KC)
        {
            int kc = Math.Min(k1, kb + KC) - kb;
            for (int q = 0; q + 1 < panelStart.Length; q++)
            {
                int lanes = (panelStart[q + 1] - panelStart[q]) * w, j0 = panelStart[q] * w;
                int cols = Math.Min(p.N, j0 + lanes) - j0;
                if (p.CsB == 1)
                {
                    for (int r = 0; r < kc; r++)
                    {
                        float* row = dst + r * lanes;
                        new ReadOnlySpan<float>(b + (kb + r) * p.RsB + j0, cols).CopyTo(new Span<float>(row, cols));
                        if (cols < lanes) new Span<float>(row + cols, lanes - cols).Clear();
                    }
                }
                else
                {
                    for (int jj = 0; jj < cols; jj++)
                    {
                        float* src = b + (j0 + jj) * p.CsB + kb * p.RsB;
                        for (int r = 0; r < kc; r++) dst[r * lanes + jj] = src[r * p.RsB];
                    }
                    if (cols < lanes)
                        for (int r = 0; r < kc; r++) new Span<float>(dst + r * lanes + cols, lanes - cols).Clear();
                }
                dst += kc * lanes;
            }
        }
    }

    /// <summary>Dispatches one micro-tile to the kernel specialized for its rows (4, or 1 at a time) and vectors.</summary>
    private static void Tile(int w, int rows, int vecs, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int cols, bool add, float* bias)
    {
        if (rows == MR)
        {
            if (w == GemmKernel512.Width) Tile512<G4>(vecs, kc, a, rsA, csA, b, c, ldc, cols, add, bias);
            else Tile256<G4>(vecs, kc, a, rsA, csA, b, c, ldc, cols, add, bias);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            if (w == GemmKernel512.Width) Tile512<G1>(vecs, kc, a + r * rsA, rsA, csA, b, c + r * ldc, ldc, cols, add, bias);
            else Tile256<G1>(vecs, kc, a + r * rsA, rsA, csA, b, c + r * ldc, ldc, cols, add, bias);
        }
    }

    private static void Tile512<TRows>(int vecs, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int cols, bool add, float* bias)
        where TRows : struct, IGemmConst
    {
        switch (vecs)
        {
            case 1: GemmKernel512.Tile<TRows, G1>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 2: GemmKernel512.Tile<TRows, G2>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 3: GemmKernel512.Tile<TRows, G3>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 4: GemmKernel512.Tile<TRows, G4>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 5: GemmKernel512.Tile<TRows, G5>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            default: GemmKernel512.Tile<TRows, G6>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
        }
    }

    private static void Tile256<TRows>(int vecs, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int cols, bool add, float* bias)
        where TRows : struct, IGemmConst
    {
        switch (vecs)
        {
            case 1: GemmKernel256.Tile<TRows, G1>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 2: GemmKernel256.Tile<TRows, G2>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 3: GemmKernel256.Tile<TRows, G3>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 4: GemmKernel256.Tile<TRows, G4>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            case 5: GemmKernel256.Tile<TRows, G5>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
            default: GemmKernel256.Tile<TRows, G6>(kc, a, rsA, csA, b, c, ldc, cols, add, bias); break;
        }
    }
}
