using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>The Vector256 GEMM micro-kernel: a register-blocked tile of up to 4 rows × 6 vectors of C (48 columns).</summary>
/// <remarks>
/// After GotoBLAS/BLIS: for each k, 4 elements of A are broadcast and multiplied into up to 6 8-lane vectors of the packed
/// B panel, accumulating in 24 registers; with the 6 B vectors and the broadcast that is 31 of the 32 AVX-512 registers; the body is written out long-hand and specialized on
/// <c>TRows</c> and <c>TVecs</c> (struct constants the JIT folds), so unused accumulators vanish.
/// Every lane runs the same fused multiply-add chain, in the same k order, as <see cref="GemmScalar"/>, so results are
/// bitwise equal to the scalar specification.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class GemmKernel256
{
    public const int Width = 8;

    /// <summary>C[r, 0..cols) (+)= Σ_p A[r, p]·B[p, ·] for r &lt; TRows; then + bias when given.</summary>
    /// <param name="kc">Depth of this k block.</param>
    /// <param name="a">A[0, 0] of the tile; element (r, p) is at <c>a + r·rsA + p·csA</c>.</param>
    /// <param name="rsA">A's row stride.</param>
    /// <param name="csA">A's column (k) stride.</param>
    /// <param name="b">Packed B panel: kc rows of TVecs·8 contiguous floats, zero-padded past the last column.</param>
    /// <param name="c">C[0, 0] of the tile (row-major, unit column stride).</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="cols">Valid columns in this panel (the rest of the last vector is padding and is not stored).</param>
    /// <param name="add">Add to C (a later k block) instead of overwriting it.</param>
    /// <param name="bias">Null, or the bias for these columns, added after the sum (last k block only).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVecs>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int cols, bool add, float* bias)
        where TRows : struct, IGemmConst where TVecs : struct, IGemmConst
    {
        Vector256<float> c00 = default; Vector256<float> c01 = default; Vector256<float> c02 = default; Vector256<float> c03 = default; Vector256<float> c04 = default; Vector256<float> c05 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default; Vector256<float> c12 = default; Vector256<float> c13 = default; Vector256<float> c14 = default; Vector256<float> c15 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default; Vector256<float> c22 = default; Vector256<float> c23 = default; Vector256<float> c24 = default; Vector256<float> c25 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default; Vector256<float> c32 = default; Vector256<float> c33 = default; Vector256<float> c34 = default; Vector256<float> c35 = default;
        float* a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        nint p = 0;
        for (; p < kc; p++, b += TVecs.Value * 8)
        {
            nint o = p * csA;
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = TVecs.Value > 1 ? Vector256.Load(b + 8) : default;
            Vector256<float> b2 = TVecs.Value > 2 ? Vector256.Load(b + 16) : default;
            Vector256<float> b3 = TVecs.Value > 3 ? Vector256.Load(b + 24) : default;
            Vector256<float> b4 = TVecs.Value > 4 ? Vector256.Load(b + 32) : default;
            Vector256<float> b5 = TVecs.Value > 5 ? Vector256.Load(b + 40) : default;
            Vector256<float> x0 = Vector256.Create(a[o]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            if (TVecs.Value > 1) c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            if (TVecs.Value > 2) c02 = Vector256.FusedMultiplyAdd(x0, b2, c02);
            if (TVecs.Value > 3) c03 = Vector256.FusedMultiplyAdd(x0, b3, c03);
            if (TVecs.Value > 4) c04 = Vector256.FusedMultiplyAdd(x0, b4, c04);
            if (TVecs.Value > 5) c05 = Vector256.FusedMultiplyAdd(x0, b5, c05);
            if (TRows.Value > 1)
            {
                Vector256<float> x1 = Vector256.Create(a1[o]);
                c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
                if (TVecs.Value > 1) c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
                if (TVecs.Value > 2) c12 = Vector256.FusedMultiplyAdd(x1, b2, c12);
                if (TVecs.Value > 3) c13 = Vector256.FusedMultiplyAdd(x1, b3, c13);
                if (TVecs.Value > 4) c14 = Vector256.FusedMultiplyAdd(x1, b4, c14);
                if (TVecs.Value > 5) c15 = Vector256.FusedMultiplyAdd(x1, b5, c15);
            }
            if (TRows.Value > 2)
            {
                Vector256<float> x2 = Vector256.Create(a2[o]);
                c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
                if (TVecs.Value > 1) c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
                if (TVecs.Value > 2) c22 = Vector256.FusedMultiplyAdd(x2, b2, c22);
                if (TVecs.Value > 3) c23 = Vector256.FusedMultiplyAdd(x2, b3, c23);
                if (TVecs.Value > 4) c24 = Vector256.FusedMultiplyAdd(x2, b4, c24);
                if (TVecs.Value > 5) c25 = Vector256.FusedMultiplyAdd(x2, b5, c25);
            }
            if (TRows.Value > 3)
            {
                Vector256<float> x3 = Vector256.Create(a3[o]);
                c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
                if (TVecs.Value > 1) c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
                if (TVecs.Value > 2) c32 = Vector256.FusedMultiplyAdd(x3, b2, c32);
                if (TVecs.Value > 3) c33 = Vector256.FusedMultiplyAdd(x3, b3, c33);
                if (TVecs.Value > 4) c34 = Vector256.FusedMultiplyAdd(x3, b4, c34);
                if (TVecs.Value > 5) c35 = Vector256.FusedMultiplyAdd(x3, b5, c35);
            }
        }
        // Park the accumulators in a stack tile in one straight-line block, then add them into C from there: an epilogue
        // with branches while 24 accumulators are live makes the JIT spill them inside the k loop.
        float* t = stackalloc float[4 * 6 * 8];
        Vector256.Store(c00, t + 0);
        if (TVecs.Value > 1) Vector256.Store(c01, t + 8);
        if (TVecs.Value > 2) Vector256.Store(c02, t + 16);
        if (TVecs.Value > 3) Vector256.Store(c03, t + 24);
        if (TVecs.Value > 4) Vector256.Store(c04, t + 32);
        if (TVecs.Value > 5) Vector256.Store(c05, t + 40);
        if (TRows.Value > 1) Vector256.Store(c10, t + 48);
        if (TRows.Value > 1 && TVecs.Value > 1) Vector256.Store(c11, t + 56);
        if (TRows.Value > 1 && TVecs.Value > 2) Vector256.Store(c12, t + 64);
        if (TRows.Value > 1 && TVecs.Value > 3) Vector256.Store(c13, t + 72);
        if (TRows.Value > 1 && TVecs.Value > 4) Vector256.Store(c14, t + 80);
        if (TRows.Value > 1 && TVecs.Value > 5) Vector256.Store(c15, t + 88);
        if (TRows.Value > 2) Vector256.Store(c20, t + 96);
        if (TRows.Value > 2 && TVecs.Value > 1) Vector256.Store(c21, t + 104);
        if (TRows.Value > 2 && TVecs.Value > 2) Vector256.Store(c22, t + 112);
        if (TRows.Value > 2 && TVecs.Value > 3) Vector256.Store(c23, t + 120);
        if (TRows.Value > 2 && TVecs.Value > 4) Vector256.Store(c24, t + 128);
        if (TRows.Value > 2 && TVecs.Value > 5) Vector256.Store(c25, t + 136);
        if (TRows.Value > 3) Vector256.Store(c30, t + 144);
        if (TRows.Value > 3 && TVecs.Value > 1) Vector256.Store(c31, t + 152);
        if (TRows.Value > 3 && TVecs.Value > 2) Vector256.Store(c32, t + 160);
        if (TRows.Value > 3 && TVecs.Value > 3) Vector256.Store(c33, t + 168);
        if (TRows.Value > 3 && TVecs.Value > 4) Vector256.Store(c34, t + 176);
        if (TRows.Value > 3 && TVecs.Value > 5) Vector256.Store(c35, t + 184);
        Epilogue(t, TRows.Value, TVecs.Value * 8, c, ldc, cols, add, bias);
    }

    /// <summary>c[r, j] = (add ? c[r, j] + t[r, j] : t[r, j]) + bias[j], in that order, as the scalar specification does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue(float* t, int rows, int lanes, float* c, nint ldc, int cols, bool add, float* bias)
    {
        for (int r = 0; r < rows; r++, c += ldc, t += 6 * 8)
        {
            int j = 0;
            for (; j + 8 <= cols; j += 8)
            {
                Vector256<float> v = Vector256.Load(t + j);
                if (add) v = Vector256.Load(c + j) + v;
                if (bias != null) v += Vector256.Load(bias + j);
                Vector256.Store(v, c + j);
            }
            for (; j < cols; j++)
            {
                float s = add ? c[j] + t[j] : t[j];
                c[j] = bias != null ? s + bias[j] : s;
            }
        }
    }
}
