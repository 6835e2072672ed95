using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>The Vector256 GEMM micro-kernel: a register-blocked tile of up to 8 rows × 6 vectors of C (8-lane vectors).</summary>
/// <remarks>
/// After GotoBLAS/BLIS: for each k, <c>TRows</c> elements of A are broadcast and multiplied into <c>TVecs</c> 8-lane vectors of the
/// packed B panel, accumulating in <c>TRows × TVecs</c> registers. The plan (<see cref="GemmPlan"/>) keeps that product at most 24
/// (32 vector registers with AVX-512) or 12 (16 registers); the body is written out long-hand and specialized on the struct
/// constants, so the JIT folds away every unused accumulator. Every lane runs the same fused multiply-add chain, in the same k
/// order, as <see cref="GemmScalar"/>, so results are bitwise equal to the scalar specification whatever the tile shape.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class GemmKernel256
{
    public const int Width = 8;

    /// <summary>C[r, 0..cols) (+)= Σ_p A[r, p]·B[p, ·] for r &lt; TRows; on the last k block, then the epilogue.</summary>
    /// <param name="kc">Depth of this k block.</param>
    /// <param name="a">A[0, 0] of the tile; element (r, p) is at <c>a + r·rsA + p·csA</c>.</param>
    /// <param name="rsA">A's row stride.</param>
    /// <param name="csA">A's column (k) stride.</param>
    /// <param name="b">B panel: kc rows of TVecs·8 floats each, packed (zero-padded past the last column) or read in place.</param>
    /// <param name="ldb">Distance between B's rows: TVecs·8 when packed, the operand's row stride when read in place.</param>
    /// <param name="c">C[0, 0] of the tile (row-major, unit column stride).</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="cols">Valid columns in this panel (the rest of the last vector is padding and is not stored).</param>
    /// <param name="add">Add to C (a later k block) instead of overwriting it.</param>
    /// <param name="ep">Null, or the epilogue of the last k block (bias, pre-activation copy, relu + shift), offset to this tile.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVecs, TDirect>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
        where TRows : struct, IGemmConst where TVecs : struct, IGemmConst where TDirect : struct, IGemmConst
    {
        Vector256<float> c00 = default; Vector256<float> c01 = default; Vector256<float> c02 = default; Vector256<float> c03 = default; Vector256<float> c04 = default; Vector256<float> c05 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default; Vector256<float> c12 = default; Vector256<float> c13 = default; Vector256<float> c14 = default; Vector256<float> c15 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default; Vector256<float> c22 = default; Vector256<float> c23 = default; Vector256<float> c24 = default; Vector256<float> c25 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default; Vector256<float> c32 = default; Vector256<float> c33 = default; Vector256<float> c34 = default; Vector256<float> c35 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default; Vector256<float> c42 = default; Vector256<float> c43 = default; Vector256<float> c44 = default; Vector256<float> c45 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default; Vector256<float> c52 = default; Vector256<float> c53 = default; Vector256<float> c54 = default; Vector256<float> c55 = default;
        Vector256<float> c60 = default; Vector256<float> c61 = default; Vector256<float> c62 = default; Vector256<float> c63 = default; Vector256<float> c64 = default; Vector256<float> c65 = default;
        Vector256<float> c70 = default; Vector256<float> c71 = default; Vector256<float> c72 = default; Vector256<float> c73 = default; Vector256<float> c74 = default; Vector256<float> c75 = default;
        float* a1 = a + 1 * rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA, a6 = a + 6 * rsA, a7 = a + 7 * rsA;
        nint p = 0;
        for (; p < kc; p++, b += ldb)
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
            if (TRows.Value > 4)
            {
                Vector256<float> x4 = Vector256.Create(a4[o]);
                c40 = Vector256.FusedMultiplyAdd(x4, b0, c40);
                if (TVecs.Value > 1) c41 = Vector256.FusedMultiplyAdd(x4, b1, c41);
                if (TVecs.Value > 2) c42 = Vector256.FusedMultiplyAdd(x4, b2, c42);
                if (TVecs.Value > 3) c43 = Vector256.FusedMultiplyAdd(x4, b3, c43);
                if (TVecs.Value > 4) c44 = Vector256.FusedMultiplyAdd(x4, b4, c44);
                if (TVecs.Value > 5) c45 = Vector256.FusedMultiplyAdd(x4, b5, c45);
            }
            if (TRows.Value > 5)
            {
                Vector256<float> x5 = Vector256.Create(a5[o]);
                c50 = Vector256.FusedMultiplyAdd(x5, b0, c50);
                if (TVecs.Value > 1) c51 = Vector256.FusedMultiplyAdd(x5, b1, c51);
                if (TVecs.Value > 2) c52 = Vector256.FusedMultiplyAdd(x5, b2, c52);
                if (TVecs.Value > 3) c53 = Vector256.FusedMultiplyAdd(x5, b3, c53);
                if (TVecs.Value > 4) c54 = Vector256.FusedMultiplyAdd(x5, b4, c54);
                if (TVecs.Value > 5) c55 = Vector256.FusedMultiplyAdd(x5, b5, c55);
            }
            if (TRows.Value > 6)
            {
                Vector256<float> x6 = Vector256.Create(a6[o]);
                c60 = Vector256.FusedMultiplyAdd(x6, b0, c60);
                if (TVecs.Value > 1) c61 = Vector256.FusedMultiplyAdd(x6, b1, c61);
                if (TVecs.Value > 2) c62 = Vector256.FusedMultiplyAdd(x6, b2, c62);
                if (TVecs.Value > 3) c63 = Vector256.FusedMultiplyAdd(x6, b3, c63);
                if (TVecs.Value > 4) c64 = Vector256.FusedMultiplyAdd(x6, b4, c64);
                if (TVecs.Value > 5) c65 = Vector256.FusedMultiplyAdd(x6, b5, c65);
            }
            if (TRows.Value > 7)
            {
                Vector256<float> x7 = Vector256.Create(a7[o]);
                c70 = Vector256.FusedMultiplyAdd(x7, b0, c70);
                if (TVecs.Value > 1) c71 = Vector256.FusedMultiplyAdd(x7, b1, c71);
                if (TVecs.Value > 2) c72 = Vector256.FusedMultiplyAdd(x7, b2, c72);
                if (TVecs.Value > 3) c73 = Vector256.FusedMultiplyAdd(x7, b3, c73);
                if (TVecs.Value > 4) c74 = Vector256.FusedMultiplyAdd(x7, b4, c74);
                if (TVecs.Value > 5) c75 = Vector256.FusedMultiplyAdd(x7, b5, c75);
            }
        }
        if (TDirect.Value > 0)
        {
            // No epilogue and no padded lane: C (+)= the block sums straight from the registers; a first block stores the sums
            // without reading C (why, and what it measured: GemmKernel512, which mirrors this).
            FinishRow<TVecs>(c + 0 * ldc, add, c00, c01, c02, c03, c04, c05);
            if (TRows.Value > 1) FinishRow<TVecs>(c + 1 * ldc, add, c10, c11, c12, c13, c14, c15);
            if (TRows.Value > 2) FinishRow<TVecs>(c + 2 * ldc, add, c20, c21, c22, c23, c24, c25);
            if (TRows.Value > 3) FinishRow<TVecs>(c + 3 * ldc, add, c30, c31, c32, c33, c34, c35);
            if (TRows.Value > 4) FinishRow<TVecs>(c + 4 * ldc, add, c40, c41, c42, c43, c44, c45);
            if (TRows.Value > 5) FinishRow<TVecs>(c + 5 * ldc, add, c50, c51, c52, c53, c54, c55);
            if (TRows.Value > 6) FinishRow<TVecs>(c + 6 * ldc, add, c60, c61, c62, c63, c64, c65);
            if (TRows.Value > 7) FinishRow<TVecs>(c + 7 * ldc, add, c70, c71, c72, c73, c74, c75);
            return;
        }
        // Park the accumulators in a stack tile in one straight-line block, then finish C from there: an epilogue
        // with branches while 24 accumulators are live makes the JIT spill them inside the k loop.
        float* t = stackalloc float[8 * 6 * 8];
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
        if (TRows.Value > 4) Vector256.Store(c40, t + 192);
        if (TRows.Value > 4 && TVecs.Value > 1) Vector256.Store(c41, t + 200);
        if (TRows.Value > 4 && TVecs.Value > 2) Vector256.Store(c42, t + 208);
        if (TRows.Value > 4 && TVecs.Value > 3) Vector256.Store(c43, t + 216);
        if (TRows.Value > 4 && TVecs.Value > 4) Vector256.Store(c44, t + 224);
        if (TRows.Value > 4 && TVecs.Value > 5) Vector256.Store(c45, t + 232);
        if (TRows.Value > 5) Vector256.Store(c50, t + 240);
        if (TRows.Value > 5 && TVecs.Value > 1) Vector256.Store(c51, t + 248);
        if (TRows.Value > 5 && TVecs.Value > 2) Vector256.Store(c52, t + 256);
        if (TRows.Value > 5 && TVecs.Value > 3) Vector256.Store(c53, t + 264);
        if (TRows.Value > 5 && TVecs.Value > 4) Vector256.Store(c54, t + 272);
        if (TRows.Value > 5 && TVecs.Value > 5) Vector256.Store(c55, t + 280);
        if (TRows.Value > 6) Vector256.Store(c60, t + 288);
        if (TRows.Value > 6 && TVecs.Value > 1) Vector256.Store(c61, t + 296);
        if (TRows.Value > 6 && TVecs.Value > 2) Vector256.Store(c62, t + 304);
        if (TRows.Value > 6 && TVecs.Value > 3) Vector256.Store(c63, t + 312);
        if (TRows.Value > 6 && TVecs.Value > 4) Vector256.Store(c64, t + 320);
        if (TRows.Value > 6 && TVecs.Value > 5) Vector256.Store(c65, t + 328);
        if (TRows.Value > 7) Vector256.Store(c70, t + 336);
        if (TRows.Value > 7 && TVecs.Value > 1) Vector256.Store(c71, t + 344);
        if (TRows.Value > 7 && TVecs.Value > 2) Vector256.Store(c72, t + 352);
        if (TRows.Value > 7 && TVecs.Value > 3) Vector256.Store(c73, t + 360);
        if (TRows.Value > 7 && TVecs.Value > 4) Vector256.Store(c74, t + 368);
        if (TRows.Value > 7 && TVecs.Value > 5) Vector256.Store(c75, t + 376);
        GemmEpilogue.Finish256(t, 6 * 8, TRows.Value, c, ldc, cols, add, ep);
    }

    // C row (+)= up to six vectors (TVecs of them): C + v on a later k block, v as it is on the first.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow<TVecs>(float* c, bool add, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, Vector256<float> v4, Vector256<float> v5)
        where TVecs : struct, IGemmConst
    {
        if (add)
        {
            v0 = Vector256.Load(c) + v0;
            if (TVecs.Value > 1) v1 = Vector256.Load(c + 8) + v1;
            if (TVecs.Value > 2) v2 = Vector256.Load(c + 16) + v2;
            if (TVecs.Value > 3) v3 = Vector256.Load(c + 24) + v3;
            if (TVecs.Value > 4) v4 = Vector256.Load(c + 32) + v4;
            if (TVecs.Value > 5) v5 = Vector256.Load(c + 40) + v5;
        }
        Vector256.Store(v0, c);
        if (TVecs.Value > 1) Vector256.Store(v1, c + 8);
        if (TVecs.Value > 2) Vector256.Store(v2, c + 16);
        if (TVecs.Value > 3) Vector256.Store(v3, c + 24);
        if (TVecs.Value > 4) Vector256.Store(v4, c + 32);
        if (TVecs.Value > 5) Vector256.Store(v5, c + 40);
    }
}
