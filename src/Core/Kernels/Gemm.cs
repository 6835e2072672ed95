using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>
/// The one matrix-product kernel: <c>C = op(A)·op(B) (+ bias)</c>, with <c>op</c> the identity or the transpose,
/// so <c>x·w</c>, <c>xᵀ·dy</c> and <c>dy·wᵀ</c> never materialize a transposed operand visible to callers.
/// </summary>
/// <remarks>
/// <para>Long because it is the one place the hard loop is written. The design follows GotoBLAS/BLIS: the operand whose
/// columns become SIMD lanes ("B") is packed into k-major panels of a few vectors (zero-padded), the other ("A") is read in
/// place with its own strides and broadcast, and a register-blocked micro-kernel (<see cref="GemmKernel512"/>,
/// <see cref="GemmKernel256"/>) runs fused multiply-adds over a <see cref="KC"/>-deep block.</para>
/// <para>The plan — SIMD width, tile shape (<see cref="GemmPlan"/>: 6×4, 4×6 or 8×3 vectors with 32 registers; 8×3 or 6×3 with a
/// pair tail when C's lanes end one or two past a whole Vector512, as x·w1's 50 = 3·16 + 2 do) and orientation —
/// is chosen by measurement, not by CPU model: the first product of each shape class times every candidate on a slice of its own
/// operands (a fraction of a millisecond of arithmetic each) and keeps the fastest for the process. The thread count is measured
/// too (<see cref="ThreadStep"/>): a product that could pay to split alternates one thread and all on its first calls and keeps
/// the faster; when all win, all against half as many, and on down while the fewer threads are not slower.</para>
/// <para>Orientation: the lanes run along n (C's columns; A broadcast in place) or along m (the kernel computes
/// <c>Cᵀ = op(B)ᵀ·op(A)ᵀ</c>: op(A) is packed transposed with 8×8 register transposes when it is k-contiguous, and C is written
/// back through a transposing store that also applies the epilogue). <c>x·w</c> (50000×784·784×50) along its 50 outputs pads
/// 4 Vector512 to 64 lanes (78 % useful) but streams x straight from memory; along its rows it wastes no lanes but transposes
/// x first — faster for a batch of 64 rows, slower for 50000 rows on Zen 5. <c>xᵀ·dy</c> (784×50000·50000×50) runs along its
/// 784 rows, so x is copied, never transposed; <c>dy·wᵀ</c> (50000×50·50×784) along its 784 columns.
/// Whether 16 lanes with more padding beat 8 lanes with less depends on the CPU (Zen 4 splits a Vector512 FMA in two, Zen 5
/// does not): the measurement decides.</para>
/// <para>Determinism: C is cut into fixed chunks (ranges of rows, or of lane vectors), each computed completely by whichever
/// thread claims it, and every element is the same chain of FMAs in ascending k, as <see cref="GemmScalar"/> specifies, so the
/// bits never depend on thread timing, thread count, orientation, tile or SIMD path.</para>
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>
    /// Depth of a k block. Fixed for every path, plan and shape: block boundaries decide rounding. 128 keeps a 4-vector Vector512
    /// B panel (32 KB) in L1.
    /// </summary>
    internal const int KC = 128;

    // Rows per cache block (rounded to the plan's rows): the C block and A's rows stay in L2 across k blocks. 128, not 64: x·w1
    // with 6×3+pair on Zen 5, interleaved call by call in five processes, 1–1.8 % faster on one thread (medians 22.9–23.9
    // against 23.2–24.3 ms) and 1–5 % on two; 8×3+pair and dy·w1ᵀ a tie; 32 rows 1–2 % slower, 264 mixed. Bits do not change.
    private const int MCTarget = 128;
    private const int PackBudget = 96 * 1024; // floats of packed B per thread (384 KB, within a 1 MB L2)
    private const int TempBudget = 1 << 20;   // floats of a transposed temporary per thread (4 MB: xᵀ·dy's 50 rows × 20000 lanes)
    private const int MaxLanesAlongMRows = 1024;    // n above this never takes the lanes-along-m orientation (its C block is n × a lane group)
    private const int TrialRows = 256, TrialDepth = 512, TrialLanes = 256;
    private const int StreamRows = 16 * TrialRows;  // m from which the plan trial streams its rows (a separate shape class)
    private const int StreamDepth = 16 * TrialDepth; // k from which it streams along k

    private static readonly Dictionary<TuneKey, Tuned> Tuning = [];
    private static readonly Lock TuningLock = new();
    private static double wakeSeconds = -1;

    /// <summary>A one-thread product predicted to take this long settles prefetch by its own first calls (long enough for a
    /// call's wall time to tell a 5 % difference; the batch-64 products take ~30 µs and never do).</summary>
    private const double SettleSeconds = 1e-3;

    /// <summary>C = op(A)·op(B) into <paramref name="c"/> (m×n, row-major), overwriting it.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c) =>
        Multiply(transA, transB, m, n, k, a, b, c, default, KernelOptions.Default);

    /// <summary>C = op(A)·op(B) + bias (bias of length n, or empty for none) into <paramref name="c"/>, with the default options.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias) =>
        Multiply(transA, transB, m, n, k, a, b, c, bias, KernelOptions.Default);

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
    /// <param name="options">Path, plan and thread settings (tests and benchmarks force them; <see cref="KernelOptions.Default"/> otherwise).</param>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias, KernelOptions options) =>
        Multiply(transA, transB, m, n, k, a, b, c, bias, default, false, 0f, options);

    /// <summary>
    /// The fused form: <c>pre = op(A)·op(B) + bias</c> (stored when <paramref name="pre"/> is not empty), then
    /// <c>c = relu(pre) + shift</c> when <paramref name="relu"/>, else <c>c = pre</c> — all in the GEMM's store (<see cref="GemmEpilogue"/>).
    /// </summary>
    /// <param name="transA">A is stored (k, m) and used transposed.</param>
    /// <param name="transB">B is stored (n, k) and used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The contracted size.</param>
    /// <param name="a">A, row-major.</param>
    /// <param name="b">B, row-major.</param>
    /// <param name="c">C (m×n); every element is written.</param>
    /// <param name="bias">Length n or empty.</param>
    /// <param name="pre">Empty, or m×n for the pre-activation.</param>
    /// <param name="relu">Clamp at zero and add <paramref name="shift"/>.</param>
    /// <param name="shift">The shift after the clamp.</param>
    /// <param name="options">Path, plan and thread settings.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias, Span<float> pre, bool relu, float shift,
        KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (m < 0 || n < 0 || k < 0 || a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n
            || (!bias.IsEmpty && bias.Length != n) || (!pre.IsEmpty && pre.Length < (long)m * n))
            throw new ArgumentException($"Gemm: buffers too small for ({m}×{k})·({k}×{n}) (a {a.Length}, b {b.Length}, c {c.Length}, bias {bias.Length}, pre {pre.Length}).");
        if (m == 0 || n == 0) return;
        SimdPath path = Effective(options.Path);
        if (path == SimdPath.Scalar || k == 0)
        {
            GemmScalar.Multiply(transA, transB, m, n, k, a, b, c, bias, pre, relu, shift);
            return;
        }

        nint rsA = transA ? 1 : k, csA = transA ? m : 1;
        nint rsB = transB ? 1 : n, csB = transB ? k : 1;
        bool canTranspose = n <= MaxLanesAlongMRows;

        fixed (float* pa = a, pb = b, pc = c, pbias = bias, ppre = pre)
        {
            var ep = new GemmEpilogue { Bias = bias.IsEmpty ? null : pbias, PreOffset = pre.IsEmpty ? 0 : (nint)(ppre - pc), Relu = relu, Shift = shift };
            var direct = new Plan(m, n, k, (nint)pa, rsA, csA, (nint)pb, rsB, csB, (nint)pc, n, 1, 0, 1, false);
            var alongM = new Plan(n, m, k, (nint)pb, csB, rsB, (nint)pa, csA, rsA, (nint)pc, 1, n, 1, 0, true); // Cᵀ = op(B)ᵀ·op(A)ᵀ
            GemmPlan g;
            GemmPlan? other = null, runnerUp = null; // the best plan of the other orientation, and of this one, when the trial ranked them close
            double rate; // multiply-adds per second on one thread, as measured; 0 when not measured
            if (options.Plan is { } forced)
            {
                g = forced.Width == 16 && !KernelOptions.Has512 ? forced with { Width = 8 } : forced;
                if (!canTranspose) g = g with { LanesAlongM = false };
                rate = 0;
            }
            else (g, rate, other, runnerUp) = Tune(direct, alongM, canTranspose, path);
            var (plan, splitRows, units, threads) = Layout(g, direct, alongM, options.Threads);
            // Prefetch on or off for the plan in use is settled by this product's own first calls (see below); the key names the
            // plan in use and its twin. (Built at each use, not in a capturing local function: that would allocate its closure on
            // every call, settled or not.)
            if (options.ForceThreads || threads <= 1)
            {
                // On one thread (a one-core machine, or MaxThreads 1) a long product still settles its tile and prefetch by its
                // first calls.
                if (!options.ForceThreads && options.Plan is null && rate > 0 && (double)m * n * k / rate >= SettleSeconds
                    && ((runnerUp is { } close1 && Settle(TileRule, new PlanPairKey(path, m, n, k, csA == 1, csB == 1, threads, g, close1),
                            ref g, ref plan, ref splitRows, ref units, ref threads, direct, alongM, options.Threads, ep))
                        || Settle(PrefetchRule, PrefetchKey(path, m, n, k, csA, csB, threads, g), ref g, ref plan, ref splitRows, ref units, ref threads, direct, alongM, options.Threads, ep)))
                    return;
                Run(plan, g, splitRows, threads, units, ep);
                return;
            }
            if (!Pays((double)m * n * k, rate, threads))
            {
                Run(plan, g, splitRows, 1, units, ep);
                return;
            }
            // A product worth splitting lets its own first calls, on all threads, settle what the one-thread trial on a slice
            // cannot tell apart: first the orientation, when the trial ranked the other one close; then the tile, when the trial's
            // runner-up in that orientation was close (its ~50 µs runs rank close tiles by chance); then software prefetch on
            // or off for the plan that won (the trial's slice is too short for a 5–10 % prefetch gain to show reliably: for
            // x·w1 it picked plans without prefetch in 4 of 4 processes, while prefetch made the whole product 5–13 % faster).
            // Then the thread rule runs on the result.
            GemmPlan trialWinner = g;
            if (other is { } otherPlan && Settle(OrientationRule, new PlanPairKey(path, m, n, k, csA == 1, csB == 1, threads, g, otherPlan),
                    ref g, ref plan, ref splitRows, ref units, ref threads, direct, alongM, options.Threads, ep))
                return;
            if (options.Plan is null && g == trialWinner && runnerUp is { } close
                && Settle(TileRule, new PlanPairKey(path, m, n, k, csA == 1, csB == 1, threads, g, close), ref g, ref plan, ref splitRows, ref units, ref threads, direct, alongM, options.Threads, ep))
                return;
            if (options.Plan is null
                && Settle(PrefetchRule, PrefetchKey(path, m, n, k, csA, csB, threads, g), ref g, ref plan, ref splitRows, ref units, ref threads, direct, alongM, options.Threads, ep))
                return;
            if (ThreadStep(ThreadRule, new ThreadKey(path, g.LanesAlongM, g, m, n, k, csA == 1, csB == 1, threads), out int settled) is not { } step)
            {
                Run(plan, g, splitRows, settled, units, ep);
                return;
            }
            bool more = ThreadRule.UseB(step);
            int used = more ? step.Threads : step.Fewer;
            long t0 = Stopwatch.GetTimestamp();
            int joined = Run(plan, g, splitRows, used, units, ep);
            ThreadRule.Record(step, more, Stopwatch.GetTimestamp() - t0, joined >= used);
        }
    }

    /// <summary>The prefetch rule's key: this product with plan <paramref name="g"/> against the same plan with prefetch flipped.</summary>
    private static PlanPairKey PrefetchKey(SimdPath path, int m, int n, int k, nint csA, nint csB, int threads, GemmPlan g) =>
        new(path, m, n, k, csA == 1, csB == 1, threads, g, g with { Prefetch = !g.Prefetch });

    /// <summary>
    /// One step of a <see cref="MeasuredChoice{TKey}"/> between two plans for this product (the key's Picked and Other): switches
    /// <paramref name="g"/> and its layout to the one in use, and while undecided runs the product with it on all threads, timed,
    /// and returns true (the call is done).
    /// </summary>
    private static bool Settle(MeasuredChoice<PlanPairKey> rule, PlanPairKey key, ref GemmPlan g, ref Plan plan, ref bool splitRows,
        ref int units, ref int threads, in Plan direct, in Plan alongM, int maxThreads, GemmEpilogue ep)
    {
        bool useOther = rule.UseB(key);
        if (useOther)
        {
            g = key.Other;
            (plan, splitRows, units, threads) = Layout(g, direct, alongM, maxThreads);
        }
        if (rule.IsDecided(key)) return false;
        long ts = Stopwatch.GetTimestamp();
        int joined = Run(plan, g, splitRows, threads, units, ep);
        rule.Record(key, useOther, Stopwatch.GetTimestamp() - ts, joined >= threads);
        return true;
    }

    /// <summary>
    /// The operands in <paramref name="g"/>'s orientation, whether its threads split C by rows (else by lane vectors), how many
    /// such units there are, and how many threads (at most <paramref name="maxThreads"/>) can share them.
    /// </summary>
    private static (Plan Plan, bool SplitRows, int Units, int Threads) Layout(GemmPlan g, in Plan direct, in Plan alongM, int maxThreads)
    {
        Plan plan = g.LanesAlongM ? alongM : direct;
        bool splitRows = plan.N <= plan.M;
        int units = splitRows ? (plan.M + g.Rows - 1) / g.Rows : WholeVectors(g, plan.N);
        return (plan, splitRows, units, Math.Min(maxThreads, units));
    }

    /// <summary>
    /// Runs the product on <paramref name="threads"/> threads. C is cut into fixed chunks (four per thread when split by rows, each
    /// a range of row tiles computed completely by whoever claims it, so a thread slowed by another tenant delays the product by
    /// one chunk, not by half of it; one per thread when split by lanes); each chunk's bits are the same whichever thread runs it.
    /// Returns how many of the threads computed at least one chunk (fewer than asked when the pool's threads did not get a core
    /// before the chunks ran out), so that a timing taken while cores were missing is not taken for what more threads are worth.
    /// </summary>
    private static int Run(in Plan plan, GemmPlan g, bool splitRows, int threads, int units, GemmEpilogue ep)
    {
        if (threads > 1) return RunParallel(plan, g, splitRows, threads, units, ep);
        Worker(plan, g, splitRows, 0, 1, ep);
        return 1;
    }

    /// <summary>
    /// <see cref="Run"/> on several threads. Its own method because the lambda captures the parameters: C# allocates their
    /// closure (with a copy of the plan) on entry to the method that declares them, so in <see cref="Run"/> every one-thread
    /// product (each step of a small batch) allocated one for nothing.
    /// </summary>
    private static int RunParallel(Plan plan, GemmPlan g, bool splitRows, int threads, int units, GemmEpilogue ep)
    {
        // Lane splits (xᵀ·dy: 784 lanes) stay one chunk per thread: each chunk reads all of dy again and x in narrower strips.
        // Measured with x read in place (Zen 5, two threads, 22 calls of each interleaved, two processes): 2, 3 and 4 chunks a
        // thread took 10.6, 10.8–11.6 and 11.6–12.5 ms (medians) against 10.1–10.5 ms for one, which a core slowed by another
        // tenant for part of a call would have to cost more than to pay.
        int chunks = splitRows ? Math.Min(units, threads * 4) : threads, next = -1, joined = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            bool first = true;
            for (int chunk; (chunk = Interlocked.Increment(ref next)) < chunks;)
            {
                if (first) Interlocked.Increment(ref joined);
                first = false;
                Worker(plan, g, splitRows, chunk, chunks, ep);
            }
        });
        return joined;
    }

    /// <summary>The operands and strides in kernel orientation: lanes run along N; element (i, j) of C is at C + i·RsC + j·CsC;
    /// the bias of element (i, j) is bias[i·BiasRs + j·BiasCs].</summary>
    private readonly record struct Plan(int M, int N, int K,
        nint A, nint RsA, nint CsA, nint B, nint RsB, nint CsB, nint C, nint RsC, nint CsC, nint BiasRs, nint BiasCs, bool LanesAlongM);

    private readonly record struct TuneKey(SimdPath Path, bool CanTranspose, int M, int N, int K, bool UnitA, bool UnitB, bool Stream, bool StreamDepth, bool PairN, bool PairM);

    private readonly record struct Tuned(GemmPlan Plan, double Rate, GemmPlan? Other, GemmPlan? RunnerUp);

    internal readonly record struct PlanPairKey(SimdPath Path, int M, int N, int K, bool UnitA, bool UnitB, int Threads, GemmPlan Picked, GemmPlan Other);

    /// <summary>One step of the thread ladder for a product: <see cref="Fewer"/> threads (A) against <see cref="Threads"/> (B).</summary>
    internal readonly record struct ThreadKey(SimdPath Path, bool Transposed, GemmPlan Plan, int M, int N, int K, bool UnitA, bool UnitB, int Threads, int Fewer = 1);

    /// <summary>
    /// A choice between two ways to run a product (A, the default, or B), made by timing the product's own first calls: they
    /// alternate between B and A (the calls themselves are the measurement, so nothing extra runs), and once each has
    /// <see cref="Samples"/> timings the faster minimum wins for the rest of the process. B must win by 5 %; a tie (within
    /// 5 % either way) keeps alternating, up to <see cref="MaxSamples"/> timings each, and then stays with A. First calls often
    /// tie because something else dominates them (a fresh output's page faults before recycled arrays exist), not because
    /// the two ways cost the same. Used for the thread count (A fewer threads, B more: on a shared machine a thread that
    /// only ties costs another tenant a core) and for the orientation of large products (A the plan the trial picked, B the
    /// best plan of the other orientation).
    /// <para>A call that ran without all of its threads (the pool's threads found no chunk left: on a shared machine the other
    /// cores can be taken for a while) is not a sample, up to <see cref="MaxSamples"/> such calls a key, after which they count:
    /// measured on a 2-core Zen 5 VM, one process in four timed one thread against two while the second core was away (3.82
    /// against 3.76 ms, where two threads take ~2.1) and ran x_valid·w1 on one thread for the rest of its life. With
    /// <c>recheckAfter</c> (the thread count: <see cref="ThreadStep"/> asks <see cref="RecheckDue"/> for the step whose fewer
    /// threads won) a decision is also measured again after that many calls that used it, the interval doubling each time a
    /// recheck confirms the decision (up to 4096 calls) and starting over when one changes it, so a process is not held for
    /// its life to what its first calls saw (`--core-away` in bench/Mlp.Benchmarks: x_valid·w1 settled on one
    /// thread while a real-time loop held the second core, and ran on two again at the first recheck after the core came back,
    /// 3.5 → 1.9 ms a call, where the rule without rechecks stayed at 3.5).</para>
    /// </summary>
    internal sealed class MeasuredChoice<TKey>(int recheckAfter = 0) where TKey : notnull
    {
        internal const int Samples = 2, MaxSamples = 8;
        private const int MaxRecheckInterval = 4096;
        private readonly Dictionary<TKey, Stats> known = [];
        private readonly Lock gate = new();

        private sealed class Stats
        {
            public long A = long.MaxValue, B = long.MaxValue;
            public int ARuns, BRuns, Decided, Incomplete, UsesSinceDecided, Interval, Previous;
        }

        /// <summary>Whether this call runs B: the decision once made, else the side with fewer timings (B first).</summary>
        public bool UseB(TKey key)
        {
            lock (gate)
            {
                if (!known.TryGetValue(key, out var s)) known[key] = s = new Stats { Interval = recheckAfter };
                if (s.Decided > 0) return s.Decided == 2;
                return s.BRuns <= s.ARuns;
            }
        }

        /// <summary>Whether the choice for this key is made.</summary>
        public bool IsDecided(TKey key)
        {
            lock (gate) return known.TryGetValue(key, out var s) && s.Decided > 0;
        }

        /// <summary>With <c>recheckAfter</c>: counts one call that used this key's decision, and once the interval is used up
        /// makes the key undecided, to be measured again from scratch, and returns true (see <see cref="Record"/> for when the
        /// next recheck comes). False for an undecided key, and always without <c>recheckAfter</c>.</summary>
        public bool RecheckDue(TKey key)
        {
            lock (gate)
            {
                if (recheckAfter <= 0 || !known.TryGetValue(key, out var s) || s.Decided == 0 || ++s.UsesSinceDecided <= s.Interval) return false;
                known[key] = new Stats { Interval = Math.Min(MaxRecheckInterval, 2 * s.Interval), Previous = s.Decided };
                return true;
            }
        }

        /// <summary>Records one call's wall time; decides once both sides have their samples. A call that ran without all of its
        /// threads (<paramref name="allThreads"/> false) is left out, up to <see cref="MaxSamples"/> of them a key. A recheck's
        /// decision that confirms the one before waits twice as long for the next recheck; one that changes it, as long as the
        /// first did.</summary>
        public void Record(TKey key, bool usedB, long ticks, bool allThreads = true)
        {
            lock (gate)
            {
                var s = known[key];
                if (s.Decided > 0) return;
                Interlocked.Increment(ref measuredCalls);
                if (!allThreads && s.Incomplete++ < MaxSamples) return;
                if (usedB) { s.B = Math.Min(s.B, ticks); s.BRuns++; }
                else { s.A = Math.Min(s.A, ticks); s.ARuns++; }
                s.Decided = Decide(s.A, s.ARuns, s.B, s.BRuns);
                // A recheck that changed the decision: conditions are moving, so the next one comes as soon as the first did.
                if (s.Decided > 0 && s.Previous > 0 && s.Decided != s.Previous) s.Interval = recheckAfter;
            }
        }

        /// <summary>0 while undecided, 1 for A, 2 for B, from the minimum timings so far.</summary>
        internal static int Decide(long a, int aRuns, long b, int bRuns)
        {
            if (aRuns < Samples || bRuns < Samples) return 0;
            if (b < 0.95 * a) return 2;
            if (b > 1.05 * a || aRuns >= MaxSamples) return 1;
            return 0;
        }

        /// <summary>The minimum timings (ticks) of A and B for this key so far (<see cref="long.MaxValue"/> where none).</summary>
        public (long A, long B) Minima(TKey key)
        {
            lock (gate) return known.TryGetValue(key, out var s) ? (s.A, s.B) : (long.MaxValue, long.MaxValue);
        }

        /// <summary>The decisions so far with their minimum timings in ms (for <c>mlp bench</c>'s report).</summary>
        public IEnumerable<(TKey Key, bool B, string AMs, string BMs)> Report()
        {
            lock (gate)
                return [.. known.Where(kv => kv.Value.Decided > 0).Select(kv => (kv.Key, kv.Value.Decided == 2, Ms(kv.Value.A), Ms(kv.Value.B)))];
        }

        private static string Ms(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many product calls so far were measurements of an orientation, tile, prefetch or thread choice (benchmarks warm a
    /// workload up until a run of it adds none, so their timed runs see the settled choices).</summary>
    internal static long MeasuredCalls => Interlocked.Read(ref measuredCalls);

    private static long measuredCalls;

    /// <summary>The thread count of each product size, one step of <see cref="ThreadStep"/>'s ladder at a time: fewer threads (A)
    /// or more (B), by <see cref="MeasuredChoice{TKey}"/>.</summary>
    private static readonly MeasuredChoice<ThreadKey> ThreadRule = new(recheckAfter: ThreadRecheckCalls);

    /// <summary>Calls of a product after which a thread count held down by fewer threads winning is measured again (then twice
    /// as many, and so on, while the rechecks confirm it): often enough that a process whose first calls ran while cores were
    /// missing gets them back, rarely enough that a recheck's calls on more threads than pay (2 to 8, usually a tie) cost
    /// nothing that shows.</summary>
    internal const int ThreadRecheckCalls = 64;

    /// <summary>
    /// The thread ladder of a product worth splitting: one thread against all of them (<paramref name="first"/>) first; when all
    /// win, all against half as many, then that half against a quarter, and so on down to two, for as long as the fewer threads
    /// are not slower (a tie goes to the fewer) and stay within 5 % of the fastest count measured (ties do not add up: 16, 8 and
    /// 4 threads each within 5 % of the last do not walk the product down to 4 when 4 is 8 % slower than 16). So a product bound
    /// by memory on a many-core machine runs on as many threads as still pay, not on every core, and no product runs slower for
    /// the machine having more of them. Returns the step still being measured (its call runs timed), or null once the count is
    /// <paramref name="settled"/>. On two threads the ladder is the one step, one against two. A product's call counts toward
    /// the recheck of the step holding its count down (<paramref name="productCall"/>); a report that only reads the count
    /// does not.
    /// </summary>
    internal static ThreadKey? ThreadStep(MeasuredChoice<ThreadKey> rule, ThreadKey first, out int settled, bool productCall = true)
    {
        var step = first;
        long fastest = long.MaxValue;
        ThreadKey? heldDown = null; // the last step on the way whose fewer threads won: the decision that holds the count down
        while (rule.IsDecided(step))
        {
            bool more = rule.UseB(step);
            var (fewerTicks, moreTicks) = rule.Minima(step);
            fastest = Math.Min(fastest, Math.Min(fewerTicks, moreTicks));
            // The fewer threads tied this step's more but are over 5 % slower than the fastest count so far: keep the more.
            if (!more && step.Fewer > 1 && fewerTicks > 1.05 * fastest) more = true;
            if (!more) heldDown = step;
            int winner = more ? step.Threads : step.Fewer;
            // On the first step (one thread against all) the ladder goes down only when all won; after it, only when the fewer did.
            bool down = step.Fewer == 1 ? more : !more;
            if (!down || winner / 2 < 2)
            {
                // Settled. The step that holds the count down is measured again now and then (the rule's recheck): its fewer
                // threads may have won while cores were away. Only that step: the recheck then runs the more threads, cheap
                // where they are not needed, never one thread on a many-core machine settled on many; a count that no step
                // holds down (all of the threads won) is never measured again.
                if (productCall && heldDown is { } held && rule.RecheckDue(held))
                {
                    settled = 0;
                    return held;
                }
                settled = winner;
                return null;
            }
            step = step with { Fewer = winner / 2, Threads = winner };
        }
        settled = 0;
        return step;
    }

    /// <summary>
    /// The orientation of each large product: the plan the one-thread trial picked (A) or the best plan with lanes along the
    /// other dimension (B), both run on all threads, by <see cref="MeasuredChoice{TKey}"/>. The trial cannot always tell them
    /// apart: for xᵀ·dy both give ~100 GFLOP/s on one Zen 5 thread, while on two, lanes along m reach 170 and lanes along n 117.
    /// </summary>
    private static readonly MeasuredChoice<PlanPairKey> OrientationRule = new();

    /// <summary>
    /// The tile of each large product: the plan the trial picked (A) or the trial's runner-up in the same orientation, when
    /// within 15 % (B), both on all threads (or, for a long product on one thread, on one), by <see cref="MeasuredChoice{TKey}"/>,
    /// after the orientation is settled and before prefetch.
    /// </summary>
    private static readonly MeasuredChoice<PlanPairKey> TileRule = new();

    /// <summary>
    /// Software prefetch on or off for each large product's plan (A the trial's, B the same tile with prefetch toggled), both on
    /// all threads, by <see cref="MeasuredChoice{TKey}"/>, after the orientation is settled.
    /// </summary>
    private static readonly MeasuredChoice<PlanPairKey> PrefetchRule = new();

    internal static SimdPath Effective(SimdPath requested) => requested switch
    {
        SimdPath.Auto when KernelOptions.Has512 => SimdPath.Auto,
        SimdPath.Auto when KernelOptions.Has256 => SimdPath.Vector256,
        SimdPath.Auto => SimdPath.Scalar,
        SimdPath.Vector512 when !KernelOptions.Has512 => Effective(SimdPath.Vector256),
        SimdPath.Vector256 when !KernelOptions.Has256 => SimdPath.Scalar,
        _ => requested,
    };

    /// <summary>The plans measured so far in this process, by shape class (for <c>mlp bench</c>'s report).</summary>
    internal static IReadOnlyList<string> TunedPlans()
    {
        lock (TuningLock)
            return [.. Tuning.Select(kv => $"m{kv.Key.M} n{kv.Key.N} k{kv.Key.K}{(kv.Key.UnitA ? "" : " Aᵀ")}{(kv.Key.UnitB ? "" : " Bᵀ")}{(kv.Key.Stream ? " streamed" : "")}{(kv.Key.StreamDepth ? " streamed along k" : "")}: {kv.Value.Plan}, {2 * kv.Value.Rate / 1e9:0.0} GFLOP/s/thread")];
    }

    /// <summary>The thread counts measured and decided so far in this process, by product size (for <c>mlp bench</c>'s report).</summary>
    internal static IReadOnlyList<string> ThreadDecisions() =>
    [
        .. ThreadRule.Report().Select(r => $"m{r.Key.M} n{r.Key.N} k{r.Key.K}: {(r.B ? r.Key.Threads : r.Key.Fewer)} thread(s) ({r.Key.Fewer}: {r.AMs} ms, {r.Key.Threads}: {r.BMs} ms)"),
        // Where a ladder (more than two threads) has settled, the count it runs on.
        .. ThreadRule.Report().Where(r => r.Key.Fewer == 1 && r.Key.Threads > 2)
            .Select(r => ThreadStep(ThreadRule, r.Key, out int n, productCall: false) is null ? $"m{r.Key.M} n{r.Key.N} k{r.Key.K}: runs on {n} of {r.Key.Threads} threads" : null)
            .OfType<string>(),
        .. OrientationRule.Report().Concat(TileRule.Report()).Concat(PrefetchRule.Report()).Select(r => $"m{r.Key.M} n{r.Key.N} k{r.Key.K}: {(r.B ? r.Key.Other : r.Key.Picked)} (trial's {r.Key.Picked}: {r.AMs} ms, {r.Key.Other}: {r.BMs} ms, {r.Key.Threads} threads)"),
    ];

    /// <summary>
    /// The fastest candidate plan for this shape class, timed once per process on a slice of the product's own operands
    /// (up to 256 rows × 256 lanes × 512 deep, in each orientation, min of 3 interleaved runs each, on one thread), and the rate
    /// it reached. The orientations time different slices of C, so candidates compete on multiply-adds per second.
    /// </summary>
    private static (GemmPlan Plan, double Rate, GemmPlan? Other, GemmPlan? RunnerUp) Tune(in Plan direct, in Plan alongM, bool canTranspose, SimdPath path)
    {
        // Many rows (x·w on a whole data set): each timed run takes a fresh slice of rows, so the trial streams A from memory
        // as the product will, instead of finding it in cache (which favours plans that pay more per element to pack it).
        // A deep product (xᵀ·dy over a whole data set) streams along k the same way: each timed run takes a fresh k range.
        bool stream = direct.M >= StreamRows, streamDepth = direct.K >= StreamDepth;
        var key = new TuneKey(path, canTranspose, Math.Min(direct.M, TrialRows), Math.Min(direct.N, TrialLanes), Math.Min(direct.K, TrialDepth),
            direct.CsA == 1, direct.CsB == 1, stream, streamDepth, GemmPlan.PairTailFits(direct.N), GemmPlan.PairTailFits(alongM.N));
        lock (TuningLock)
            if (Tuning.TryGetValue(key, out var known)) return (known.Plan, known.Rate, known.Other, known.RunnerUp);

        var candidates = GemmPlan.Candidates(path, canTranspose, direct.N, alongM.N);
        var trialC = new float[TrialRows * TrialLanes];
        var best = new long[candidates.Length];
        var macs = new double[candidates.Length];
        Array.Fill(best, long.MaxValue);
        fixed (float* tc = trialC)
        {
            var trials = new Plan[candidates.Length];
            for (int i = 0; i < candidates.Length; i++)
            {
                Plan p = candidates[i].LanesAlongM ? alongM : direct;
                int tm = Math.Min(p.M, TrialRows), tn = Math.Min(p.N, TrialLanes), tk = Math.Min(p.K, TrialDepth);
                if (candidates[i].PairTail && tn < p.N) tn = TrialLanes - GemmKernel512.Width + p.N % GemmKernel512.Width; // keep the tail
                // The slice keeps its orientation's C layout, so a lanes-along-m trial pays for its transposed write-back too.
                trials[i] = candidates[i].LanesAlongM
                    ? p with { M = tm, N = tn, K = tk, C = (nint)tc, RsC = 1, CsC = tm }
                    : p with { M = tm, N = tn, K = tk, C = (nint)tc, RsC = tn, CsC = 1 };
                macs[i] = (double)tm * tn * tk;
            }
            for (int round = 0; round < 4; round++)   // round 0 compiles and warms
                for (int i = 0; i < candidates.Length; i++)
                {
                    Plan trial = trials[i];
                    if (stream)
                    {
                        nint row = (nint)((long)(round * candidates.Length + i) * TrialRows % (direct.M - TrialRows));
                        trial = candidates[i].LanesAlongM ? trial with { B = trial.B + row * trial.CsB * sizeof(float) } : trial with { A = trial.A + row * trial.RsA * sizeof(float) };
                    }
                    if (streamDepth)
                    {
                        // CsA and RsB are the k strides of the plan's A and B in either orientation.
                        nint k0 = (nint)((long)(round * candidates.Length + i) * TrialDepth % (direct.K - TrialDepth));
                        trial = trial with { A = trial.A + k0 * trial.CsA * sizeof(float), B = trial.B + k0 * trial.RsB * sizeof(float) };
                    }
                    long t0 = Stopwatch.GetTimestamp();
                    Worker(trial, candidates[i], true, 0, 1, default);
                    long dt = Stopwatch.GetTimestamp() - t0;
                    if (round > 0) best[i] = Math.Min(best[i], dt);
                }
        }
        var rates = new double[candidates.Length]; // a loop, not a lambda over macs: that closure would be allocated on every call
        for (int i = 0; i < rates.Length; i++) rates[i] = macs[i] / (Math.Max(1, best[i]) / (double)Stopwatch.Frequency);
        int win = Array.IndexOf(rates, rates.Max());
        // The best of the other orientation, when within 15 % of the winner: the product's own first calls decide between them.
        int alt = -1;
        for (int i = 0; i < candidates.Length; i++)
            if (candidates[i].LanesAlongM != candidates[win].LanesAlongM && (alt < 0 || rates[i] > rates[alt])) alt = i;
        GemmPlan? other = alt >= 0 && rates[alt] >= 0.85 * rates[win] ? candidates[alt] : null;
        // And the best other tile of the winner's orientation, when within 15 %: the trial's short runs rank close tiles by
        // chance (for x·w1 on Zen 5, 6×4 won one process's trial over 8×3+pair, which runs the product ~10 % faster).
        int next = -1;
        for (int i = 0; i < candidates.Length; i++)
            if (i != win && candidates[i].LanesAlongM == candidates[win].LanesAlongM && (next < 0 || rates[i] > rates[next])) next = i;
        GemmPlan? runnerUp = next >= 0 && rates[next] >= 0.85 * rates[win] ? candidates[next] : null;
        var result = new Tuned(candidates[win], rates[win], other, runnerUp);
        lock (TuningLock) Tuning[key] = result;
        return (result.Plan, result.Rate, result.Other, result.RunnerUp);
    }

    /// <summary>
    /// Whether splitting <paramref name="macs"/> multiply-adds over <paramref name="threads"/> pays: the predicted one-thread time
    /// (from the measured rate) must be at least 20 times the measured cost of waking the pool, since a woken pool thread keeps
    /// spinning after its share and slows the element-wise work around a small product.
    /// </summary>
    private static bool Pays(double macs, double rate, int threads)
    {
        if (rate <= 0) return macs >= 1 << 23;
        double oneThread = macs / rate;
        return oneThread * (1 - 1.0 / threads) >= 20 * WakeSeconds();
    }

    /// <summary>The measured cost of a Parallel.For over empty bodies (min of a few tries), once per process.</summary>
    private static double WakeSeconds()
    {
        if (wakeSeconds >= 0) return wakeSeconds;
        long best = long.MaxValue;
        int threads = Environment.ProcessorCount;
        for (int r = 0; r < 8; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, _ => { });
            best = Math.Min(best, Stopwatch.GetTimestamp() - t0);
        }
        // At least 10 µs: the floor for a thread wake-up plus its spinning, even when the pool happened to be hot.
        wakeSeconds = Math.Max(10e-6, best / (double)Stopwatch.Frequency);
        return wakeSeconds;
    }

    /// <summary>One chunk of C: a fixed slice of its row tiles (or of its lanes, in whole vectors), computed completely.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Worker(Plan p, GemmPlan g, bool splitRows, int t, int chunks, GemmEpilogue ep)
    {
        int w = g.Width, mr = g.Rows, mc = (MCTarget + mr - 1) / mr * mr;
        // B read in place along its rows (x in xᵀ·dy, lanes along m) starts where its array does, 8–56 bytes past a cache
        // line (the GC aligns arrays to 8 bytes), so every vector load of a panel straddles two lines. Shift the lanes back to
        // the line: the `dead` lanes before B's first element, in the line that holds it (the array's header, or the previous
        // row's tail), are computed and never stored, and each row's last vector reads the rest of the line that holds the
        // row's last element. Every load is then aligned to its size, so none crosses a page and none can fault. Each of C's
        // elements is the same chain of multiply-adds, so the bits do not change. Measured before this shift with
        // `Mlp.Benchmarks --line-offset` (x on a line and 24 bytes past one, interleaved; Zen 5): one thread 112–156 →
        // 148–167 GFLOP/s, two 222–262 → 259–294; since, the two match.
        int dead = 0;
        if (p.LanesAlongM && p.M <= mc && p.CsB == 1 && p.N % w == 0 && p.RsB % 16 == 0 && (p.B & 63) != 0)
        {
            dead = (int)((p.B & 63) / sizeof(float));
            p = p with { B = p.B - dead * sizeof(float), N = p.N + dead, C = p.C - dead * p.CsC * sizeof(float) };
        }
        // With a pair tail, the last vector (one or two columns) rides along with the last panel's whole vectors.
        bool tail = HasPairTail(g, p.N);
        int rowTiles = (p.M + mr - 1) / mr, vecs = (p.N + w - 1) / w, wholeVecs = WholeVectors(g, p.N);
        int r0 = 0, r1 = p.M, v0 = 0, v1 = vecs;
        if (splitRows)
        {
            r0 = Math.Min(p.M, (int)((long)rowTiles * t / chunks) * mr);
            r1 = Math.Min(p.M, (int)((long)rowTiles * (t + 1) / chunks) * mr);
        }
        else
        {
            // By whole vectors, not whole panels: xᵀ·dy's 50 vectors over 16 threads are 3 or 4 each, where panels of 3 (17 of
            // them) would leave one thread two panels, 6 vectors, and the product waiting for it; over 8, at most 7 instead of 9.
            // Each thread then cuts its own vectors into even panels (below). The bits do not depend on where the cuts fall.
            v0 = (int)((long)wholeVecs * t / chunks);
            v1 = (int)((long)wholeVecs * (t + 1) / chunks);
            if (v1 == wholeVecs) v1 = vecs;
        }
        if (r0 >= r1 || v0 >= v1) return;

        // Panels of at most g.Vecs whole vectors, sizes as even as possible (25 vectors → 5, 5, 5, 5, 5); the last panel of C
        // also takes the pair tail.
        int nv = v1 - v0, nWhole = Math.Min(v1, wholeVecs) - v0, panels = (nWhole + g.Vecs - 1) / g.Vecs;
        Span<int> panelStart = stackalloc int[panels + 1];
        for (int q = 0; q < panels; q++) panelStart[q] = v0 + (int)((long)nWhole * q / panels);
        panelStart[panels] = v1;

        // Unit-stride C is written in place. A transposed C (lanes along m) is accumulated, one panel group at a time, in a
        // row-major temporary of the group's lanes, and written back through a transposing store with the epilogue when the
        // group's last k block is done.
        // (Not CsC == 1: with n = 1 the transposed C has unit strides both ways, but its bias still runs along the kernel's rows.)
        bool direct = !p.LanesAlongM;
        // B read in place, unpacked: when its lanes are contiguous and whole vectors, and all of this chunk's rows fit one
        // row block, each k block of B is used by one row block only, so a pack would copy it once to read it once
        // (xᵀ·dy with lanes along m: B is x, 157 MB, and the copy cost as much as the arithmetic on one thread). A pair
        // tail of two columns reads exactly a row's last two floats, so it needs no padding either (xb·w1 in a batch-64
        // step: 29–30 → 24–26 µs on one Zen 5 thread, the pack of w1 gone).
        bool inPlace = p.CsB == 1 && (p.N % w == 0 || (tail && p.N % w == 2) || dead > 0) && r1 - r0 <= mc;
        // Groups of panels are sized so their packing fits the budget one k block deep (the k-block loop then packs as many
        // blocks as fit), or all of k when lanes run along m and k is at most 8 blocks: then each lane (a row of x in x·w) is
        // packed whole, read contiguously (measured ~5 % faster for x·w; for xᵀ·dy, k = 50000, wide one-block groups are faster).
        // A block is only as deep as k: dy·w1ᵀ (k = 50) was cut in groups of 768 + 16 of its 784 lanes as if 128 deep, and the
        // second group swept all of A and C's 157 MB again for one line per row (one Zen 5 thread 2–6 % slower, two 0–4 %).
        // With B in place nothing is packed, so a group holds all of the chunk's lanes, up to what a transposed temporary may
        // take: a second group streamed B's k blocks again for its few lanes (xᵀ·dy on one thread: 788 lanes cut 768 + 20, x
        // read twice).
        int groupDepth = !direct && p.K <= 8 * KC ? p.K : Math.Min(p.K, KC);
        long laneBudget = !inPlace ? PackBudget / groupDepth : direct ? long.MaxValue : TempBudget / (r1 - r0);
        int maxGroupLanes = (int)Math.Min(nv, Math.Max(g.Vecs, laneBudget / w)) * w;
        // Both scratch buffers start on a cache line (LineMargin, OnLine): the transposed temporary's rows, a whole number of
        // vectors long, then do too, so no vector of C or of the pack straddles two lines (x·w1, whose kernel loads three of
        // w1's packed vectors per k step: 3–5 % faster on one Zen 5 thread and 2–5 % on two, interleaved call by call in three
        // processes). Every pack chunk is at most PackBudget (a group is built to fit one k block) and at most all of k for all
        // panels.
        float[]? temp = direct ? null : ArrayPool<float>.Shared.Rent((r1 - r0) * maxGroupLanes + LineMargin);
        float[]? pack = inPlace ? null : ArrayPool<float>.Shared.Rent((int)Math.Min(Math.Max(PackBudget, (long)KC * maxGroupLanes), (long)p.K * nv * w) + LineMargin);
        try
        {
            fixed (float* rentedTemp = temp, rentedPack = pack)
            {
                float* tp = OnLine(rentedTemp), pk = OnLine(rentedPack);
                float* c = (float*)p.C;
                nint ldc = direct ? p.RsC : maxGroupLanes;
                bool fuse = direct && !ep.IsEmpty;
                int kBlocks = (p.K + KC - 1) / KC;

                for (int g0 = 0; g0 < panels;)
                {
                    // A group of panels within the lane budget (at least one panel).
                    int g1 = g0 + 1, groupLanes = (panelStart[g0 + 1] - panelStart[g0]) * w;
                    while (g1 < panels && groupLanes + (panelStart[g1 + 1] - panelStart[g1]) * w <= laneBudget)
                        groupLanes += (panelStart[g1 + 1] - panelStart[g1++]) * w;
                    if (!direct) c = tp - (nint)r0 * ldc - panelStart[g0] * w;

                    for (int kb0 = 0; kb0 < kBlocks;)
                    {
                        // As many consecutive k blocks as fit: all of them for x·w, so each C block stays cached across k.
                        int kb1 = kb0 + 1;
                        while (kb1 < kBlocks && (long)(Math.Min(p.K, (kb1 + 1) * KC) - kb0 * KC) * groupLanes <= PackBudget) kb1++;
                        if (!inPlace) PackB(p, kb0 * KC, Math.Min(p.K, kb1 * KC), panelStart[g0..(g1 + 1)], w, pk);

                        for (int ic = r0; ic < r1; ic += mc)
                        {
                            int icEnd = Math.Min(r1, ic + mc);
                            float* packed = pk;
                            for (int kb = kb0; kb < kb1; kb++)
                            {
                                int k0 = kb * KC, kc = Math.Min(p.K, k0 + KC) - k0;
                                bool add = kb > 0, last = kb == kBlocks - 1;
                                float* panelB = packed;
                                // A stored transposed (xᵀ·dy: the block is a strip of icEnd − ic floats from each of kc rows of
                                // x, a few cache lines per row 3 KB apart): fetch the next k block's strips, which the row
                                // streamers do not see coming, while this one computes.
                                if (g.Prefetch && p.CsA != 1 && p.RsA == 1)
                                    Prefetch.Rows((float*)p.A + (k0 + kc) * p.CsA + ic, p.CsA, Math.Min(p.K, k0 + kc + KC) - (k0 + kc), icEnd - ic, toL1: false);
                                for (int q = g0; q < g1; q++)
                                {
                                    int vq = panelStart[q + 1] - panelStart[q];
                                    int j0 = panelStart[q] * w, cols = Math.Min(p.N, j0 + vq * w) - j0;
                                    GemmEpilogue tileEp = ep;
                                    if (tileEp.Bias != null) tileEp.Bias += j0;
                                    GemmEpilogue* e = last && fuse ? &tileEp : null;
                                    float* b = inPlace ? (float*)p.B + k0 * p.RsB + j0 : panelB;
                                    nint ldb = inPlace ? p.RsB : vq * w;
                                    // The block's rows in tiles of at most mr rows, sizes as even as possible: xᵀ·dy's 50 rows in 6-row tiles
                                    // are 5 or 6 each, not eight of 6 and one of 2 (whose 8 accumulators barely cover the FMA latency).
                                    // Measured on Zen 5 against 6, …, 6, 2 (in-process, interleaved): medians mostly 1–4 % faster, some runs a tie; same bits.
                                    int blockRows = icEnd - ic, tiles = (blockRows + mr - 1) / mr, share = (KC + tiles - 1) / tiles; // rows of B each tile prefetches
                                    for (int ti = 0; ti < tiles; ti++)
                                    {
                                        int ir = ic + blockRows * ti / tiles, irEnd = ic + blockRows * (ti + 1) / tiles;
                                        int nextEnd = ic + blockRows * Math.Min(tiles, ti + 2) / tiles; // the next tile is [irEnd, nextEnd)
                                        // A's rows contiguous in k (x in x·w, streaming from memory; the k-block order defeats the
                                        // row streamers): fetch the next tile's rows of this k block into L1 while this tile computes.
                                        // Spread a tile at a time: measured on one Zen 5 thread, one burst per k block for the next
                                        // row block into L2 ran 0–3 % slower than no prefetch, each tile's next k block into L2 0–8 %
                                        // faster, and this 6–9 % faster (3–5 % on two threads).
                                        if (g.Prefetch && p.CsA == 1 && q == g0 && irEnd < icEnd)
                                            Prefetch.Rows((float*)p.A + irEnd * p.RsA + k0, p.RsA, nextEnd - irEnd, kc, toL1: true);
                                        // B read in place streams from memory (x in xᵀ·dy): fetch the next panel's rows of this k
                                        // block (after the group's last panel, the first panel's of the next k block) into L1, a
                                        // share with each tile. Measured against no prefetch, interleaved (`--plans`): 6–17 %
                                        // faster on one Zen 5 thread and 8–13 % on two, where all of the next k block's rows into
                                        // L2 before the panel's first tile ran 0–4 % slower and spread over the tiles 0–8 % faster.
                                        if (inPlace && g.Prefetch)
                                        {
                                            bool lastPanel = q + 1 >= g1;
                                            int nj0 = (lastPanel ? panelStart[g0] : panelStart[q + 1]) * w, nk0 = lastPanel ? k0 + kc : k0;
                                            int lanes = Math.Min(p.N, (lastPanel ? panelStart[g0 + 1] : panelStart[q + 2]) * w) - nj0;
                                            int kStart = nk0 + ti * share, kEnd = Math.Min(Math.Min(p.K, nk0 + KC), kStart + share);
                                            Prefetch.Rows((float*)p.B + kStart * p.RsB + nj0, p.RsB, kEnd - kStart, lanes, toL1: true);
                                        }
                                        // C written in place on its last k block (dy·wᵀ writes 157 MB): fetch the next tile's rows of
                                        // C into L1 while this tile computes, so its stores do not wait for the lines to arrive.
                                        // Measured against the same plans without prefetch (`--plans`): 6–9 % faster on one Zen 5
                                        // thread and 0–9 % on two, where without this the prefetching plans had gained nothing.
                                        if (g.Prefetch && direct && last && irEnd < icEnd)
                                            Prefetch.Rows(c + irEnd * ldc + j0, ldc, nextEnd - irEnd, cols, toL1: true);
                                        float* at = (float*)p.A + ir * p.RsA + k0 * p.CsA;
                                        Tile(w, irEnd - ir, vq, tail && panelStart[q + 1] == vecs, kc, at, p.RsA, p.CsA, b, ldb, c + ir * ldc + j0, ldc, cols, add, e);
                                    }
                                    panelB += kc * vq * w;
                                }
                                packed = panelB;
                            }
                        }
                        kb0 = kb1;
                    }
                    if (!direct)
                        StoreTransposed(p, ep, c, ldc, r0, r1, Math.Max(dead, panelStart[g0] * w), Math.Min(p.N, panelStart[g1] * w));
                    g0 = g1;
                }
            }
        }
        finally
        {
            if (pack != null) ArrayPool<float>.Shared.Return(pack);
            if (temp != null) ArrayPool<float>.Shared.Return(temp);
        }
    }

    /// <summary>Floats of room a scratch buffer is rented with so that <see cref="OnLine"/> can start it on a cache line.</summary>
    private const int LineMargin = 64 / sizeof(float);

    /// <summary>The first cache-line boundary at or after <paramref name="p"/> (null stays null).</summary>
    private static float* OnLine(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    /// <summary>Whether plan <paramref name="g"/> computes the last columns of an <paramref name="n"/>-lane product as a pair tail: one or
    /// two columns past at least one whole Vector512, in a tile of at most 8 rows (2 lanes per row) and 3 whole vectors.</summary>
    private static bool HasPairTail(GemmPlan g, int n) => g.PairTail && g.Width == GemmKernel512.Width && g.Rows <= 8 && g.Vecs <= 3 && GemmPlan.PairTailFits(n);

    /// <summary>The vectors of an <paramref name="n"/>-lane product that panels are cut from: all of them, less the pair tail when
    /// plan <paramref name="g"/> has one (it rides with the last panel).</summary>
    private static int WholeVectors(GemmPlan g, int n) => (n + g.Width - 1) / g.Width - (HasPairTail(g, n) ? 1 : 0);

    /// <summary>
    /// The write-back of a lanes-along-m group: element (i, j) of the kernel's C, parked at <c>t[i·ldt + j]</c>, goes to
    /// <c>C + i·RsC + j·CsC</c> through the epilogue, for rows [r0, r1) and lanes [j0, j1). With a unit row stride (C stored
    /// transposed to the kernel, as for x·w) blocks of 8×8 go through registers, transposed, so C's rows are written whole.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from the first call: a tier-0 copy loop made the first ~16 products of a process 2× slower
    private static void StoreTransposed(in Plan p, in GemmEpilogue ep, float* t, nint ldt, int r0, int r1, int j0, int j1)
    {
        float* cBase = (float*)p.C;
        int i = r0;
        if (p.RsC == 1 && p.BiasCs == 0 && Transpose8.IsSupported)
        {
            bool bias = ep.Bias != null, pre = ep.PreOffset != 0, relu = ep.Relu;
            Vector256<float> shift = Vector256.Create(ep.Shift);
            float* block = stackalloc float[64];
            for (; i + 8 <= r1; i += 8)
            {
                Vector256<float> bv = bias ? Vector256.Load(ep.Bias + i * p.BiasRs) : default;
                for (int j = j0; j + 8 <= j1 || j < j1; j += 8)
                {
                    int lanes = Math.Min(8, j1 - j);
                    if (lanes == 8) Transpose8.Copy(t + i * ldt + j, ldt, block, 8);
                    else
                        for (int q = 0; q < lanes; q++)
                            for (int r = 0; r < 8; r++) block[q * 8 + r] = t[(i + r) * ldt + j + q];
                    for (int q = 0; q < lanes; q++)
                    {
                        // The same operations, in the same order, as GemmEpilogue.Apply and the kernels' fused store.
                        Vector256<float> v = Vector256.Load(block + q * 8);
                        float* dst = cBase + (j + q) * p.CsC + i;
                        if (bias) v += bv;
                        if (pre) Vector256.Store(v, dst + ep.PreOffset);
                        if (relu) v = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(v, Vector256<float>.Zero), Vector256<float>.Zero, v) + shift;
                        Vector256.Store(v, dst);
                    }
                }
            }
        }
        for (; i < r1; i++)
            for (int j = j0; j < j1; j++)
            {
                float v = t[i * ldt + j];
                float* dst = cBase + i * p.RsC + j * p.CsC;
                if (ep.Bias != null) v += ep.Bias[i * p.BiasRs + j * p.BiasCs];
                if (ep.PreOffset != 0) dst[ep.PreOffset] = v;
                if (ep.Relu) v = (v <= 0f ? 0f : v) + ep.Shift;
                *dst = v;
            }
    }

    /// <summary>
    /// Packs op(B)[k0..k1, panels] block by block: for each k block, each panel as kc rows of (vectors · width) floats,
    /// columns past N zero-filled. Contiguous rows are copied; transposed storage is gathered down its contiguous k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from the first call: a tier-0 copy loop made the first ~16 products of a process 2× slower
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
                    int jj = 0;
                    if (p.RsB == 1 && Transpose8.IsSupported)
                        for (; jj + 8 <= cols; jj += 8)
                        {
                            // Eight lanes (rows of x in x·w, contiguous in k) at a time, transposed 8×8 in registers.
                            float* src = b + (j0 + jj) * p.CsB + kb;
                            int r = 0;
                            for (; r + 8 <= kc; r += 8) Transpose8.Copy(src + r, p.CsB, dst + r * lanes + jj, lanes);
                            for (; r < kc; r++)
                                for (int l = 0; l < 8; l++) dst[r * lanes + jj + l] = src[l * p.CsB + r];
                        }
                    for (; jj < cols; jj++)
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

    /// <summary>Dispatches one micro-tile to the kernel specialized for its rows (1 to 8) and vectors (1 to 6; with
    /// <paramref name="tail"/>, the last of them is the pair tail of one or two columns, Vector512 only), and for how it finishes
    /// C: straight from the registers when there is no epilogue and no padded lane (every k block but a fused product's last),
    /// else through a parked tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from the first call: a tier-0 copy loop made the first ~16 products of a process 2× slower
    private static void Tile(int w, int rows, int vecs, bool tail, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
    {
        if (ep == null && cols >= (vecs - (tail ? 1 : 0)) * w) TileRows<G1>(w, rows, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep);
        else TileRows<G0>(w, rows, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileRows<TDirect>(int w, int rows, int vecs, bool tail, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
        where TDirect : struct, IGemmConst
    {
        switch (rows)
        {
            case 1: Rows<G1, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 2: Rows<G2, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 3: Rows<G3, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 4: Rows<G4, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 5: Rows<G5, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 6: Rows<G6, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 7: Rows<G7, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            default: Rows<G8, TDirect>(w, vecs, tail, kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimized from the first call: a tier-0 copy loop made the first ~16 products of a process 2× slower
    private static void Rows<TRows, TDirect>(int w, int vecs, bool tail, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
        where TRows : struct, IGemmConst where TDirect : struct, IGemmConst
    {
        if (w == GemmKernel512.Width && tail)
        {
            switch (vecs)
            {
                case 2: GemmKernel512.Tile<TRows, G1, G2, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                case 3: GemmKernel512.Tile<TRows, G2, G2, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                default: GemmKernel512.Tile<TRows, G3, G2, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            }
            return;
        }
        if (w == GemmKernel512.Width)
        {
            switch (vecs)
            {
                case 1: GemmKernel512.Tile<TRows, G1, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                case 2: GemmKernel512.Tile<TRows, G2, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                case 3: GemmKernel512.Tile<TRows, G3, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                case 4: GemmKernel512.Tile<TRows, G4, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                case 5: GemmKernel512.Tile<TRows, G5, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
                default: GemmKernel512.Tile<TRows, G6, G0, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            }
            return;
        }
        switch (vecs)
        {
            case 1: GemmKernel256.Tile<TRows, G1, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 2: GemmKernel256.Tile<TRows, G2, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 3: GemmKernel256.Tile<TRows, G3, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 4: GemmKernel256.Tile<TRows, G4, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            case 5: GemmKernel256.Tile<TRows, G5, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
            default: GemmKernel256.Tile<TRows, G6, TDirect>(kc, a, rsA, csA, b, ldb, c, ldc, cols, add, ep); break;
        }
    }
}
