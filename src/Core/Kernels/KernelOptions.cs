using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Kernels;

/// <summary>Which vector width the hand-written kernels may use; tests force each path.</summary>
internal enum SimdPath { Auto, Vector512, Vector256, Scalar }

/// <summary>
/// A GEMM plan: vector width in floats (16 or 8), rows of C per tile, at most how many vectors per tile (so
/// <c>Rows × Vecs</c> accumulators stay in registers), whether to software-prefetch the next row block of a row-contiguous A
/// into L2, and the orientation: lanes along C's columns (n), or along its rows (m: the kernel computes Cᵀ = op(B)ᵀ·op(A)ᵀ, packing
/// op(A) transposed and writing C back through a transposing store), and whether one or two columns past the last whole Vector512
/// go in a pair tail (see <see cref="GemmKernel512"/>) instead of a padded vector. Every plan computes the same bits; only speed
/// differs.
/// </summary>
internal readonly record struct GemmPlan(int Width, int Rows, int Vecs, bool Prefetch = false, bool LanesAlongM = false, bool PairTail = false)
{
    /// <summary>Tiles with a pair tail (Vector512 only): 8 or 6 rows of 3 vectors, plus the tail (25 or 19 accumulators).</summary>
    private static readonly (int Rows, int Vecs)[] TilesPair = [(8, 3), (6, 3)];

    /// <summary>Whether the kernel's lanes (n in the orientation) end one or two columns past a whole Vector512: only then can a
    /// pair-tail plan differ from its plain twin.</summary>
    public static bool PairTailFits(int lanes) => lanes > GemmKernel512.Width && lanes % GemmKernel512.Width is 1 or 2;

    /// <summary>Tiles for 32 vector registers (AVX-512, also for its 256-bit vectors): 24 accumulators + B vectors + a broadcast.</summary>
    private static readonly (int Rows, int Vecs)[] Tiles32 = [(6, 4), (4, 6), (8, 3)];

    /// <summary>Tiles for 16 vector registers (AVX2 without AVX-512): 12 accumulators.</summary>
    private static readonly (int Rows, int Vecs)[] Tiles16 = [(4, 3), (6, 2), (8, 1)];

    /// <summary>The plans worth timing on this CPU for a requested path, in both orientations when <paramref name="lanesAlongM"/>, with
    /// pair-tail plans in an orientation whose lanes (<paramref name="lanesN"/> along n, <paramref name="lanesM"/> along m) end one or
    /// two past a whole Vector512; empty for the scalar path.</summary>
    public static GemmPlan[] Candidates(SimdPath requested, bool lanesAlongM = true, int lanesN = 0, int lanesM = 0)
    {
        SimdPath path = Gemm.Effective(requested);
        if (path == SimdPath.Scalar) return [];
        var tiles = Avx512F.VL.IsSupported ? Tiles32 : Tiles16;
        var widths = path switch
        {
            SimdPath.Vector512 => new[] { 16 },
            SimdPath.Vector256 => [8],
            _ => [16, 8],
        };
        var orientations = lanesAlongM ? new[] { false, true } : [false];
        var plain = from o in orientations from w in widths from t in tiles select new GemmPlan(w, t.Rows, t.Vecs, LanesAlongM: o);
        var pair = from o in orientations
                   where widths.Contains(16) && Avx512F.IsSupported && PairTailFits(o ? lanesM : lanesN)
                   from t in TilesPair
                   select new GemmPlan(16, t.Rows, t.Vecs, LanesAlongM: o, PairTail: true);
        return [.. plain.Concat(pair)];
    }

    /// <summary>Every plan any CPU might pick, for tests that force each one (a plan wider than the CPU falls back to Vector256).</summary>
    public static IEnumerable<GemmPlan> All =>
        (from o in new[] { false, true }
         from w in new[] { 16, 8 }
         from t in Tiles32.Concat(Tiles16)
         from pf in new[] { false, true }
         select new GemmPlan(w, t.Rows, t.Vecs, pf, o))
        .Concat(
        from o in new[] { false, true }
        from t in TilesPair
        from pf in new[] { false, true }
        select new GemmPlan(16, t.Rows, t.Vecs, pf, o, PairTail: true));

    /// <inheritdoc/>
    public override string ToString() => $"V{Width * 32} {Rows}×{Vecs}{(PairTail ? "+pair" : "")}{(Prefetch ? " pf" : "")}{(LanesAlongM ? " m-lanes" : "")}";
}

/// <summary>
/// The explicit settings of the kernels, passed by callers (tests and benchmarks force paths, plans and thread counts this way);
/// there is no static mutable setting. <see cref="Default"/> picks the widest path, a plan measured on this CPU, and the
/// thread count per product by measured benefit.
/// </summary>
/// <param name="Path">SIMD path; <see cref="SimdPath.Auto"/> lets the GEMM choose (and time) among all the CPU accelerates.</param>
/// <param name="MaxThreads">Upper bound on threads (0: the processor count).</param>
/// <param name="Plan">Force one GEMM plan (tests); null to choose by measurement.</param>
/// <param name="ForceThreads">Use exactly <c>min(MaxThreads, work units)</c> threads instead of choosing by measured benefit (tests).</param>
internal sealed record KernelOptions(SimdPath Path = SimdPath.Auto, int MaxThreads = 0, GemmPlan? Plan = null, bool ForceThreads = false)
{
    /// <summary>Auto everything.</summary>
    public static readonly KernelOptions Default = new();

    /// <summary>The thread bound in effect: at most the processor count, except that forced threads are exactly
    /// <see cref="MaxThreads"/> (so tests can run more threads than the machine has cores).</summary>
    public int Threads => MaxThreads <= 0 ? Environment.ProcessorCount : ForceThreads ? MaxThreads : Math.Min(MaxThreads, Environment.ProcessorCount);

    /// <summary>Whether Vector512 is usable on this CPU and runtime.</summary>
    public static bool Has512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether Vector256 with FMA is usable on this CPU and runtime.</summary>
    public static bool Has256 => Vector256.IsHardwareAccelerated && Fma.IsSupported;
}
