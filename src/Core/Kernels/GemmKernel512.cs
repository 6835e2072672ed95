using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>The Vector512 GEMM micro-kernel: a register-blocked tile of up to 4 rows × 7 vectors of C (112 columns).</summary>
/// <remarks>
/// After GotoBLAS/BLIS: for each k, 4 elements of A are broadcast and multiplied into up to 7 16-lane vectors of the packed
/// B panel, accumulating in 28 registers (32 exist with AVX-512); the body is written out long-hand and specialized on
/// <c>TRows</c> and <c>TVecs</c> (struct constants the JIT folds), so unused accumulators vanish.
/// Every lane runs the same fused multiply-add chain, in the same k order, as <see cref="GemmScalar"/>, so results are
/// bitwise equal to the scalar specification.
/// </remarks>
internal static unsafe class GemmKernel512
{
    public const int Width = 16;

    /// <summary>C[r, 0..cols) (+)= Σ_p A[r, p]·B[p, ·] for r &lt; TRows; then + bias when given.</summary>
    /// <param name="kc">Depth of this k block.</param>
    /// <param name="a">A[0, 0] of the tile; element (r, p) is at <c>a + r·rsA + p·csA</c>.</param>
    /// <param name="rsA">A's row stride.</param>
    /// <param name="csA">A's column (k) stride.</param>
    /// <param name="b">Packed B panel: kc rows of TVecs·16 contiguous floats, zero-padded past the last column.</param>
    /// <param name="c">C[0, 0] of the tile (row-major, unit column stride).</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="cols">Valid columns in this panel (the rest of the last vector is padding and is not stored).</param>
    /// <param name="add">Add to C (a later k block) instead of overwriting it.</param>
    /// <param name="bias">Null, or the bias for these columns, added after the sum (last k block only).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVecs>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, int cols, bool add, float* bias)
        where TRows : struct, IGemmConst where TVecs : struct, IGemmConst
    {
        Vector512<float> c00 = default; Vector512<float> c01 = default; Vector512<float> c02 = default; Vector512<float> c03 = default; Vector512<float> c04 = default; Vector512<float> c05 = default; Vector512<float> c06 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default; Vector512<float> c12 = default; Vector512<float> c13 = default; Vector512<float> c14 = default; Vector512<float> c15 = default; Vector512<float> c16 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default; Vector512<float> c22 = default; Vector512<float> c23 = default; Vector512<float> c24 = default; Vector512<float> c25 = default; Vector512<float> c26 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default; Vector512<float> c32 = default; Vector512<float> c33 = default; Vector512<float> c34 = default; Vector512<float> c35 = default; Vector512<float> c36 = default;
        float* a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA;
        nint p = 0;
        for (; p < kc; p++, b += TVecs.Value * 16)
        {
            nint o = p * csA;
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = TVecs.Value > 1 ? Vector512.Load(b + 16) : default;
            Vector512<float> b2 = TVecs.Value > 2 ? Vector512.Load(b + 32) : default;
            Vector512<float> b3 = TVecs.Value > 3 ? Vector512.Load(b + 48) : default;
            Vector512<float> b4 = TVecs.Value > 4 ? Vector512.Load(b + 64) : default;
            Vector512<float> b5 = TVecs.Value > 5 ? Vector512.Load(b + 80) : default;
            Vector512<float> b6 = TVecs.Value > 6 ? Vector512.Load(b + 96) : default;
            Vector512<float> x0 = Vector512.Create(a[o]);
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            if (TVecs.Value > 1) c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            if (TVecs.Value > 2) c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
            if (TVecs.Value > 3) c03 = Vector512.FusedMultiplyAdd(x0, b3, c03);
            if (TVecs.Value > 4) c04 = Vector512.FusedMultiplyAdd(x0, b4, c04);
            if (TVecs.Value > 5) c05 = Vector512.FusedMultiplyAdd(x0, b5, c05);
            if (TVecs.Value > 6) c06 = Vector512.FusedMultiplyAdd(x0, b6, c06);
            if (TRows.Value > 1)
            {
                Vector512<float> x1 = Vector512.Create(a1[o]);
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                if (TVecs.Value > 1) c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                if (TVecs.Value > 2) c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
                if (TVecs.Value > 3) c13 = Vector512.FusedMultiplyAdd(x1, b3, c13);
                if (TVecs.Value > 4) c14 = Vector512.FusedMultiplyAdd(x1, b4, c14);
                if (TVecs.Value > 5) c15 = Vector512.FusedMultiplyAdd(x1, b5, c15);
                if (TVecs.Value > 6) c16 = Vector512.FusedMultiplyAdd(x1, b6, c16);
            }
            if (TRows.Value > 2)
            {
                Vector512<float> x2 = Vector512.Create(a2[o]);
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                if (TVecs.Value > 1) c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                if (TVecs.Value > 2) c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
                if (TVecs.Value > 3) c23 = Vector512.FusedMultiplyAdd(x2, b3, c23);
                if (TVecs.Value > 4) c24 = Vector512.FusedMultiplyAdd(x2, b4, c24);
                if (TVecs.Value > 5) c25 = Vector512.FusedMultiplyAdd(x2, b5, c25);
                if (TVecs.Value > 6) c26 = Vector512.FusedMultiplyAdd(x2, b6, c26);
            }
            if (TRows.Value > 3)
            {
                Vector512<float> x3 = Vector512.Create(a3[o]);
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                if (TVecs.Value > 1) c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                if (TVecs.Value > 2) c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
                if (TVecs.Value > 3) c33 = Vector512.FusedMultiplyAdd(x3, b3, c33);
                if (TVecs.Value > 4) c34 = Vector512.FusedMultiplyAdd(x3, b4, c34);
                if (TVecs.Value > 5) c35 = Vector512.FusedMultiplyAdd(x3, b5, c35);
                if (TVecs.Value > 6) c36 = Vector512.FusedMultiplyAdd(x3, b6, c36);
            }
        }
        Row<TVecs>(c, cols, add, bias, c00, c01, c02, c03, c04, c05, c06);
        if (TRows.Value > 1) Row<TVecs>(c + 1 * ldc, cols, add, bias, c10, c11, c12, c13, c14, c15, c16);
        if (TRows.Value > 2) Row<TVecs>(c + 2 * ldc, cols, add, bias, c20, c21, c22, c23, c24, c25, c26);
        if (TRows.Value > 3) Row<TVecs>(c + 3 * ldc, cols, add, bias, c30, c31, c32, c33, c34, c35, c36);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TVecs>(float* c, int cols, bool add, float* bias, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4, Vector512<float> v5, Vector512<float> v6)
        where TVecs : struct, IGemmConst
    {
        Put(c, 0, cols, add, bias, v0);
        if (TVecs.Value > 1) Put(c, 16, cols, add, bias, v1);
        if (TVecs.Value > 2) Put(c, 32, cols, add, bias, v2);
        if (TVecs.Value > 3) Put(c, 48, cols, add, bias, v3);
        if (TVecs.Value > 4) Put(c, 64, cols, add, bias, v4);
        if (TVecs.Value > 5) Put(c, 80, cols, add, bias, v5);
        if (TVecs.Value > 6) Put(c, 96, cols, add, bias, v6);
    }

    // c = (add ? c + v : v) + bias, in that order, as the scalar specification does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, int off, int cols, bool add, float* bias, Vector512<float> v)
    {
        if (off + 16 <= cols)
        {
            if (add) v = Vector512.Load(c + off) + v;
            if (bias != null) v += Vector512.Load(bias + off);
            Vector512.Store(v, c + off);
        }
        else if (off < cols)
        {
            PutPartial(c + off, cols - off, add, bias == null ? null : bias + off, v);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutPartial(float* c, int count, bool add, float* bias, Vector512<float> v)
    {
        for (int j = 0; j < count; j++)
        {
            float s = add ? c[j] + v.GetElement(j) : v.GetElement(j);
            c[j] = bias != null ? s + bias[j] : s;
        }
    }
}
