using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Kernels;

/// <summary>The Vector512 GEMM micro-kernel: a register-blocked tile of up to 8 rows × 6 vectors of C (16-lane vectors), optionally
/// with a pair tail: the last one or two columns of C for all of the tile's rows in one more vector.</summary>
/// <remarks>
/// <para>After GotoBLAS/BLIS: for each k, <c>TRows</c> elements of A are broadcast and multiplied into <c>TVecs</c> 16-lane vectors of the
/// packed B panel, accumulating in <c>TRows × TVecs</c> registers. The plan (<see cref="GemmPlan"/>) keeps that product at most 24
/// (32 vector registers with AVX-512) or 12 (16 registers); the body is written out long-hand and specialized on the struct
/// constants, so the JIT folds away every unused accumulator.</para>
/// <para>The pair tail (<c>TTail</c> = 2) is for n one or two columns past a whole vector (the lesson's n = 50 = 3·16 + 2): instead of
/// a fourth vector with 2 of 16 lanes useful, lane 2r + j of one accumulator holds C[r, 16·TVecs + j]. Its A vector is built from the
/// rows' broadcasts with one masked blend per row (<c>vblendmps</c>, beside the FMA pipes on Zen 5), its B vector is the two
/// columns broadcast as one 64-bit pair. An 8-row tile uses all 16 lanes. Measured on one Zen 5 thread with the operands in L1
/// (<c>Mlp.Benchmarks --tile-l1</c>): 8×3 with the tail 84–87 % of the peak in useful FLOPs, 6×4 padded to 64 lanes 68–72 %.</para>
/// <para>How C is finished (<c>TDirect</c>): a k block with no epilogue and no padded lane adds its sums to C straight from the
/// registers; otherwise (a fused product's last block, a panel with padded lanes) the accumulators are parked in a stack tile and
/// finished from there. Parking and reloading 25 vectors cost about as much as 20 of a block's 128 k steps: measured the same way,
/// 8×3 with the tail went from 85–91 % parked to 94–99 % direct, and x·w1 on one thread with x streaming 153–164 → 161–174 GFLOP/s.</para>
/// <para>Every lane runs the same fused multiply-add chain, in the same k
/// order, as <see cref="GemmScalar"/>, so results are bitwise equal to the scalar specification whatever the tile shape.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class GemmKernel512
{
    public const int Width = 16;

    /// <summary>C[r, 0..cols) (+)= Σ_p A[r, p]·B[p, ·] for r &lt; TRows; on the last k block, then the epilogue.</summary>
    /// <param name="kc">Depth of this k block.</param>
    /// <param name="a">A[0, 0] of the tile; element (r, p) is at <c>a + r·rsA + p·csA</c>.</param>
    /// <param name="rsA">A's row stride.</param>
    /// <param name="csA">A's column (k) stride.</param>
    /// <param name="b">B panel: kc rows of TVecs·16 floats each, packed (zero-padded past the last column) or read in place.</param>
    /// <param name="ldb">Distance between B's rows: TVecs·16 when packed, the operand's row stride when read in place.</param>
    /// <param name="c">C[0, 0] of the tile (row-major, unit column stride).</param>
    /// <param name="ldc">C's row stride.</param>
    /// <param name="cols">Valid columns in this panel (the rest of the last vector is padding and is not stored).</param>
    /// <param name="add">Add to C (a later k block) instead of overwriting it.</param>
    /// <param name="ep">Null, or the epilogue of the last k block (bias, pre-activation copy, relu + shift), offset to this tile.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TVecs, TTail, TDirect>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
        where TRows : struct, IGemmConst where TVecs : struct, IGemmConst where TTail : struct, IGemmConst where TDirect : struct, IGemmConst
    {
        Vector512<float> c00 = default; Vector512<float> c01 = default; Vector512<float> c02 = default; Vector512<float> c03 = default; Vector512<float> c04 = default; Vector512<float> c05 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default; Vector512<float> c12 = default; Vector512<float> c13 = default; Vector512<float> c14 = default; Vector512<float> c15 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default; Vector512<float> c22 = default; Vector512<float> c23 = default; Vector512<float> c24 = default; Vector512<float> c25 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default; Vector512<float> c32 = default; Vector512<float> c33 = default; Vector512<float> c34 = default; Vector512<float> c35 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default; Vector512<float> c42 = default; Vector512<float> c43 = default; Vector512<float> c44 = default; Vector512<float> c45 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default; Vector512<float> c52 = default; Vector512<float> c53 = default; Vector512<float> c54 = default; Vector512<float> c55 = default;
        Vector512<float> c60 = default; Vector512<float> c61 = default; Vector512<float> c62 = default; Vector512<float> c63 = default; Vector512<float> c64 = default; Vector512<float> c65 = default;
        Vector512<float> c70 = default; Vector512<float> c71 = default; Vector512<float> c72 = default; Vector512<float> c73 = default; Vector512<float> c74 = default; Vector512<float> c75 = default;
        Vector512<float> ct = default; // the pair tail
        float* a1 = a + 1 * rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA, a6 = a + 6 * rsA, a7 = a + 7 * rsA;
        nint p = 0;
        for (; p < kc; p++, b += ldb)
        {
            nint o = p * csA;
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = TVecs.Value > 1 ? Vector512.Load(b + 16) : default;
            Vector512<float> b2 = TVecs.Value > 2 ? Vector512.Load(b + 32) : default;
            Vector512<float> b3 = TVecs.Value > 3 ? Vector512.Load(b + 48) : default;
            Vector512<float> b4 = TVecs.Value > 4 ? Vector512.Load(b + 64) : default;
            Vector512<float> b5 = TVecs.Value > 5 ? Vector512.Load(b + 80) : default;
            Vector512<float> bt = TTail.Value > 0 ? Vector512.Create(*(double*)(b + TVecs.Value * 16)).AsSingle() : default;
            Vector512<float> x0 = Vector512.Create(a[o]);
            Vector512<float> xt = x0; // row r's broadcast in lanes 2r and up
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            if (TVecs.Value > 1) c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            if (TVecs.Value > 2) c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
            if (TVecs.Value > 3) c03 = Vector512.FusedMultiplyAdd(x0, b3, c03);
            if (TVecs.Value > 4) c04 = Vector512.FusedMultiplyAdd(x0, b4, c04);
            if (TVecs.Value > 5) c05 = Vector512.FusedMultiplyAdd(x0, b5, c05);
            if (TRows.Value > 1)
            {
                Vector512<float> x1 = Vector512.Create(a1[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x1, Vector512.Create(0f, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
                c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
                if (TVecs.Value > 1) c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
                if (TVecs.Value > 2) c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
                if (TVecs.Value > 3) c13 = Vector512.FusedMultiplyAdd(x1, b3, c13);
                if (TVecs.Value > 4) c14 = Vector512.FusedMultiplyAdd(x1, b4, c14);
                if (TVecs.Value > 5) c15 = Vector512.FusedMultiplyAdd(x1, b5, c15);
            }
            if (TRows.Value > 2)
            {
                Vector512<float> x2 = Vector512.Create(a2[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x2, Vector512.Create(0f, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
                c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
                if (TVecs.Value > 1) c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
                if (TVecs.Value > 2) c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
                if (TVecs.Value > 3) c23 = Vector512.FusedMultiplyAdd(x2, b3, c23);
                if (TVecs.Value > 4) c24 = Vector512.FusedMultiplyAdd(x2, b4, c24);
                if (TVecs.Value > 5) c25 = Vector512.FusedMultiplyAdd(x2, b5, c25);
            }
            if (TRows.Value > 3)
            {
                Vector512<float> x3 = Vector512.Create(a3[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x3, Vector512.Create(0f, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
                c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
                if (TVecs.Value > 1) c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
                if (TVecs.Value > 2) c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
                if (TVecs.Value > 3) c33 = Vector512.FusedMultiplyAdd(x3, b3, c33);
                if (TVecs.Value > 4) c34 = Vector512.FusedMultiplyAdd(x3, b4, c34);
                if (TVecs.Value > 5) c35 = Vector512.FusedMultiplyAdd(x3, b5, c35);
            }
            if (TRows.Value > 4)
            {
                Vector512<float> x4 = Vector512.Create(a4[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x4, Vector512.Create(0f, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1));
                c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
                if (TVecs.Value > 1) c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
                if (TVecs.Value > 2) c42 = Vector512.FusedMultiplyAdd(x4, b2, c42);
                if (TVecs.Value > 3) c43 = Vector512.FusedMultiplyAdd(x4, b3, c43);
                if (TVecs.Value > 4) c44 = Vector512.FusedMultiplyAdd(x4, b4, c44);
                if (TVecs.Value > 5) c45 = Vector512.FusedMultiplyAdd(x4, b5, c45);
            }
            if (TRows.Value > 5)
            {
                Vector512<float> x5 = Vector512.Create(a5[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x5, Vector512.Create(0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1));
                c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
                if (TVecs.Value > 1) c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
                if (TVecs.Value > 2) c52 = Vector512.FusedMultiplyAdd(x5, b2, c52);
                if (TVecs.Value > 3) c53 = Vector512.FusedMultiplyAdd(x5, b3, c53);
                if (TVecs.Value > 4) c54 = Vector512.FusedMultiplyAdd(x5, b4, c54);
                if (TVecs.Value > 5) c55 = Vector512.FusedMultiplyAdd(x5, b5, c55);
            }
            if (TRows.Value > 6)
            {
                Vector512<float> x6 = Vector512.Create(a6[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x6, Vector512.Create(0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1));
                c60 = Vector512.FusedMultiplyAdd(x6, b0, c60);
                if (TVecs.Value > 1) c61 = Vector512.FusedMultiplyAdd(x6, b1, c61);
                if (TVecs.Value > 2) c62 = Vector512.FusedMultiplyAdd(x6, b2, c62);
                if (TVecs.Value > 3) c63 = Vector512.FusedMultiplyAdd(x6, b3, c63);
                if (TVecs.Value > 4) c64 = Vector512.FusedMultiplyAdd(x6, b4, c64);
                if (TVecs.Value > 5) c65 = Vector512.FusedMultiplyAdd(x6, b5, c65);
            }
            if (TRows.Value > 7)
            {
                Vector512<float> x7 = Vector512.Create(a7[o]);
                if (TTail.Value > 0) xt = Avx512F.BlendVariable(xt, x7, Vector512.Create(0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1));
                c70 = Vector512.FusedMultiplyAdd(x7, b0, c70);
                if (TVecs.Value > 1) c71 = Vector512.FusedMultiplyAdd(x7, b1, c71);
                if (TVecs.Value > 2) c72 = Vector512.FusedMultiplyAdd(x7, b2, c72);
                if (TVecs.Value > 3) c73 = Vector512.FusedMultiplyAdd(x7, b3, c73);
                if (TVecs.Value > 4) c74 = Vector512.FusedMultiplyAdd(x7, b4, c74);
                if (TVecs.Value > 5) c75 = Vector512.FusedMultiplyAdd(x7, b5, c75);
            }
            if (TTail.Value > 0) ct = Vector512.FusedMultiplyAdd(xt, bt, ct);
        }
        if (TDirect.Value > 0)
        {
            // No epilogue and no padded lane: C (+)= the block sums straight from the registers. A first block stores the sums
            // without reading C (x and −0 + x have the same bits). It used to read C and add −0, branch-free, which made every
            // store wait for its line: on dy·w1ᵀ, whose 157 MB C is written once, the best of 5 calls went 11.7–12.9 →
            // 10.6–11.5 ms on two Zen 5 threads and 22.8–26.0 → 21.0–21.5 on one (Vector512, processes alternating).
            FinishRow<TVecs>(c + 0 * ldc, add, c00, c01, c02, c03, c04, c05);
            if (TRows.Value > 1) FinishRow<TVecs>(c + 1 * ldc, add, c10, c11, c12, c13, c14, c15);
            if (TRows.Value > 2) FinishRow<TVecs>(c + 2 * ldc, add, c20, c21, c22, c23, c24, c25);
            if (TRows.Value > 3) FinishRow<TVecs>(c + 3 * ldc, add, c30, c31, c32, c33, c34, c35);
            if (TRows.Value > 4) FinishRow<TVecs>(c + 4 * ldc, add, c40, c41, c42, c43, c44, c45);
            if (TRows.Value > 5) FinishRow<TVecs>(c + 5 * ldc, add, c50, c51, c52, c53, c54, c55);
            if (TRows.Value > 6) FinishRow<TVecs>(c + 6 * ldc, add, c60, c61, c62, c63, c64, c65);
            if (TRows.Value > 7) FinishRow<TVecs>(c + 7 * ldc, add, c70, c71, c72, c73, c74, c75);
            if (TTail.Value > 0)
            {
                float* pairT = stackalloc float[16];
                Vector512.Store(ct, pairT);
                for (int r = 0; r < TRows.Value; r++)
                    for (int j = TVecs.Value * 16; j < cols; j++)
                    {
                        float v = pairT[2 * r + j - TVecs.Value * 16];
                        c[r * ldc + j] = add ? c[r * ldc + j] + v : v;
                    }
            }
            return;
        }
        // Park the accumulators in a stack tile in one straight-line block, then finish C from there: an epilogue
        // with branches while 24 accumulators are live makes the JIT spill them inside the k loop.
        float* t = stackalloc float[8 * 6 * 16];
        Vector512.Store(c00, t + 0);
        if (TVecs.Value > 1) Vector512.Store(c01, t + 16);
        if (TVecs.Value > 2) Vector512.Store(c02, t + 32);
        if (TVecs.Value > 3) Vector512.Store(c03, t + 48);
        if (TVecs.Value > 4) Vector512.Store(c04, t + 64);
        if (TVecs.Value > 5) Vector512.Store(c05, t + 80);
        if (TRows.Value > 1) Vector512.Store(c10, t + 96);
        if (TRows.Value > 1 && TVecs.Value > 1) Vector512.Store(c11, t + 112);
        if (TRows.Value > 1 && TVecs.Value > 2) Vector512.Store(c12, t + 128);
        if (TRows.Value > 1 && TVecs.Value > 3) Vector512.Store(c13, t + 144);
        if (TRows.Value > 1 && TVecs.Value > 4) Vector512.Store(c14, t + 160);
        if (TRows.Value > 1 && TVecs.Value > 5) Vector512.Store(c15, t + 176);
        if (TRows.Value > 2) Vector512.Store(c20, t + 192);
        if (TRows.Value > 2 && TVecs.Value > 1) Vector512.Store(c21, t + 208);
        if (TRows.Value > 2 && TVecs.Value > 2) Vector512.Store(c22, t + 224);
        if (TRows.Value > 2 && TVecs.Value > 3) Vector512.Store(c23, t + 240);
        if (TRows.Value > 2 && TVecs.Value > 4) Vector512.Store(c24, t + 256);
        if (TRows.Value > 2 && TVecs.Value > 5) Vector512.Store(c25, t + 272);
        if (TRows.Value > 3) Vector512.Store(c30, t + 288);
        if (TRows.Value > 3 && TVecs.Value > 1) Vector512.Store(c31, t + 304);
        if (TRows.Value > 3 && TVecs.Value > 2) Vector512.Store(c32, t + 320);
        if (TRows.Value > 3 && TVecs.Value > 3) Vector512.Store(c33, t + 336);
        if (TRows.Value > 3 && TVecs.Value > 4) Vector512.Store(c34, t + 352);
        if (TRows.Value > 3 && TVecs.Value > 5) Vector512.Store(c35, t + 368);
        if (TRows.Value > 4) Vector512.Store(c40, t + 384);
        if (TRows.Value > 4 && TVecs.Value > 1) Vector512.Store(c41, t + 400);
        if (TRows.Value > 4 && TVecs.Value > 2) Vector512.Store(c42, t + 416);
        if (TRows.Value > 4 && TVecs.Value > 3) Vector512.Store(c43, t + 432);
        if (TRows.Value > 4 && TVecs.Value > 4) Vector512.Store(c44, t + 448);
        if (TRows.Value > 4 && TVecs.Value > 5) Vector512.Store(c45, t + 464);
        if (TRows.Value > 5) Vector512.Store(c50, t + 480);
        if (TRows.Value > 5 && TVecs.Value > 1) Vector512.Store(c51, t + 496);
        if (TRows.Value > 5 && TVecs.Value > 2) Vector512.Store(c52, t + 512);
        if (TRows.Value > 5 && TVecs.Value > 3) Vector512.Store(c53, t + 528);
        if (TRows.Value > 5 && TVecs.Value > 4) Vector512.Store(c54, t + 544);
        if (TRows.Value > 5 && TVecs.Value > 5) Vector512.Store(c55, t + 560);
        if (TRows.Value > 6) Vector512.Store(c60, t + 576);
        if (TRows.Value > 6 && TVecs.Value > 1) Vector512.Store(c61, t + 592);
        if (TRows.Value > 6 && TVecs.Value > 2) Vector512.Store(c62, t + 608);
        if (TRows.Value > 6 && TVecs.Value > 3) Vector512.Store(c63, t + 624);
        if (TRows.Value > 6 && TVecs.Value > 4) Vector512.Store(c64, t + 640);
        if (TRows.Value > 6 && TVecs.Value > 5) Vector512.Store(c65, t + 656);
        if (TRows.Value > 7) Vector512.Store(c70, t + 672);
        if (TRows.Value > 7 && TVecs.Value > 1) Vector512.Store(c71, t + 688);
        if (TRows.Value > 7 && TVecs.Value > 2) Vector512.Store(c72, t + 704);
        if (TRows.Value > 7 && TVecs.Value > 3) Vector512.Store(c73, t + 720);
        if (TRows.Value > 7 && TVecs.Value > 4) Vector512.Store(c74, t + 736);
        if (TRows.Value > 7 && TVecs.Value > 5) Vector512.Store(c75, t + 752);
        if (TTail.Value > 0)
        {
            // The pair tail's lanes 2r and 2r + 1 become columns 16·TVecs and 16·TVecs + 1 of the parked row r.
            float* pair = stackalloc float[16];
            Vector512.Store(ct, pair);
            for (int r = 0; r < TRows.Value; r++)
            {
                t[r * 96 + TVecs.Value * 16] = pair[2 * r];
                t[r * 96 + TVecs.Value * 16 + 1] = pair[2 * r + 1];
            }
        }
        GemmEpilogue.Finish512(t, 6 * 16, TRows.Value, c, ldc, cols, add, ep);
    }

    // C row (+)= up to six vectors (TVecs of them): C + v on a later k block, v as it is on the first.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishRow<TVecs>(float* c, bool add, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4, Vector512<float> v5)
        where TVecs : struct, IGemmConst
    {
        if (add)
        {
            v0 = Vector512.Load(c) + v0;
            if (TVecs.Value > 1) v1 = Vector512.Load(c + 16) + v1;
            if (TVecs.Value > 2) v2 = Vector512.Load(c + 32) + v2;
            if (TVecs.Value > 3) v3 = Vector512.Load(c + 48) + v3;
            if (TVecs.Value > 4) v4 = Vector512.Load(c + 64) + v4;
            if (TVecs.Value > 5) v5 = Vector512.Load(c + 80) + v5;
        }
        Vector512.Store(v0, c);
        if (TVecs.Value > 1) Vector512.Store(v1, c + 16);
        if (TVecs.Value > 2) Vector512.Store(v2, c + 32);
        if (TVecs.Value > 3) Vector512.Store(v3, c + 48);
        if (TVecs.Value > 4) Vector512.Store(v4, c + 64);
        if (TVecs.Value > 5) Vector512.Store(v5, c + 80);
    }
}
