using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>The Vector256 GEMM micro-kernel: a register-blocked tile of up to 4 rows × 7 vectors of C (56 columns).</summary>
/// <remarks>
/// After GotoBLAS/BLIS: for each k, 4 elements of A are broadcast and multiplied into up to 7 8-lane vectors of the packed
/// B panel, accumulating in 28 registers (32 exist with AVX-512); the body is written out long-hand and specialized on
/// <c>TRows</c> and <c>TVecs</c> (struct constants the JIT folds), so unused accumulators vanish.
/// Every lane runs the same fused multiply-add chain, in the same k order, as <see cref="GemmScalar"/>, so results are
/// bitwise equal to the scalar specification.
/// </remarks>
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
        Vector256<float> c00 = default; Vector256<float> c01 = default; Vector256<float> c02 = default; Vector256<float> c03 = default; Vector256<float> c04 = default; Vector256<float> c05 = default; Vector256<float> c06 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default; Vector256<float> c12 = default; Vector256<float> c13 = default; Vector256<float> c14 = default; Vector256<float> c15 = default; Vector256<float> c16 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default; Vector256<float> c22 = default; Vector256<float> c23 = default; Vector256<float> c24 = default; Vector256<float> c25 = default; Vector256<float> c26 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default; Vector256<float> c32 = default; Vector256<float> c33 = default; Vector256<float> c34 = default; Vector256<float> c35 = default; Vector256<float> c36 = default;
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
            Vector256<float> b6 = TVecs.Value > 6 ? Vector256.Load(b + 48) : default;
            Vector256<float> x0 = Vector256.Create(a[o]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            if (TVecs.Value > 1) c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            if (TVecs.Value > 2) c02 = Vector256.FusedMultiplyAdd(x0, b2, c02);
            if (TVecs.Value > 3) c03 = Vector256.FusedMultiplyAdd(x0, b3, c03);
            if (TVecs.Value > 4) c04 = Vector256.FusedMultiplyAdd(x0, b4, c04);
            if (TVecs.Value > 5) c05 = Vector256.FusedMultiplyAdd(x0, b5, c05);
            if (TVecs.Value > 6) c06 = Vector256.FusedMultiplyAdd(x0, b6, c06);
            if (TRows.Value > 1)
            {
                Vector256<float> x1 = Vector256.Create(a1[o]);
                c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
                if (TVecs.Value > 1) c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
                if (TVecs.Value > 2) c12 = Vector256.FusedMultiplyAdd(x1, b2, c12);
                if (TVecs.Value > 3) c13 = Vector256.FusedMultiplyAdd(x1, b3, c13);
                if (TVecs.Value > 4) c14 = Vector256.FusedMultiplyAdd(x1, b4, c14);
                if (TVecs.Value > 5) c15 = Vector256.FusedMultiplyAdd(x1, b5, c15);
                if (TVecs.Value > 6) c16 = Vector256.FusedMultiplyAdd(x1, b6, c16);
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
                if (TVecs.Value > 6) c26 = Vector256.FusedMultiplyAdd(x2, b6, c26);
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
                if (TVecs.Value > 6) c36 = Vector256.FusedMultiplyAdd(x3, b6, c36);
            }
        }
        Row<TVecs>(c, cols, add, bias, c00, c01, c02, c03, c04, c05, c06);
        if (TRows.Value > 1) Row<TVecs>(c + 1 * ldc, cols, add, bias, c10, c11, c12, c13, c14, c15, c16);
        if (TRows.Value > 2) Row<TVecs>(c + 2 * ldc, cols, add, bias, c20, c21, c22, c23, c24, c25, c26);
        if (TRows.Value > 3) Row<TVecs>(c + 3 * ldc, cols, add, bias, c30, c31, c32, c33, c34, c35, c36);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TVecs>(float* c, int cols, bool add, float* bias, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, Vector256<float> v4, Vector256<float> v5, Vector256<float> v6)
        where TVecs : struct, IGemmConst
    {
        Put(c, 0, cols, add, bias, v0);
        if (TVecs.Value > 1) Put(c, 8, cols, add, bias, v1);
        if (TVecs.Value > 2) Put(c, 16, cols, add, bias, v2);
        if (TVecs.Value > 3) Put(c, 24, cols, add, bias, v3);
        if (TVecs.Value > 4) Put(c, 32, cols, add, bias, v4);
        if (TVecs.Value > 5) Put(c, 40, cols, add, bias, v5);
        if (TVecs.Value > 6) Put(c, 48, cols, add, bias, v6);
    }

    // c = (add ? c + v : v) + bias, in that order, as the scalar specification does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, int off, int cols, bool add, float* bias, Vector256<float> v)
    {
        if (off + 8 <= cols)
        {
            if (add) v = Vector256.Load(c + off) + v;
            if (bias != null) v += Vector256.Load(bias + off);
            Vector256.Store(v, c + off);
        }
        else if (off < cols)
        {
            PutPartial(c + off, cols - off, add, bias == null ? null : bias + off, v);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutPartial(float* c, int count, bool add, float* bias, Vector256<float> v)
    {
        for (int j = 0; j < count; j++)
        {
            float s = add ? c[j] + v.GetElement(j) : v.GetElement(j);
            c[j] = bias != null ? s + bias[j] : s;
        }
    }
}
