using Mlp.Kernels;
using static Mlp.Tests.Core.GemmReference;

namespace Mlp.Tests.Core;

/// <summary>The GEMM on every SIMD path against a double-precision triple loop, and bit-for-bit against its scalar specification.</summary>
public class GemmTests
{
    // Path names (SimdPath is internal, so theories take its name).
    public static readonly TheoryData<string> Paths = new() { "Scalar", "Vector256", "Vector512", "Auto" };

    // (m, n, k): empty, unit, odd, tails of 1..3 rows and partial vectors, more than one k block (KC = 128),
    // scaled-down versions of the lesson's shapes: x·w (n = 50 and 10), xᵀ·dy (m = 784), dy·wᵀ (n = 784), and one output
    // column or row (with lanes along m, C then has unit strides both ways while its bias runs along the kernel's rows).
    // (32, 48, 300) and (6, 16, 257) read B in place (whole vectors of contiguous lanes, one row block) in either orientation.
    // n = 17, 33, 113, 129 (one past a Vector512) and 50, 82, 34 (two past) take the pair tail with a pair-tail plan, in panels
    // of 1 to 3 whole vectors; (50, 82, 140) does so along m as well. With two columns past and one row block ((19, 34, 129),
    // (50, 82, 140), and (130, 50, 784) split over 2 threads) B is read in place, the tail reading each row's last two floats.
    // (9, 800, 130) with B transposed packs it in two groups of panels (800 lanes at a 128-deep block exceed the pack budget);
    // with B read in place (not transposed) one group holds all 800 lanes.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (0, 0, 0), (0, 5, 3), (5, 0, 3), (4, 6, 0), (1, 1, 1), (1, 17, 1), (3, 5, 7), (7, 9, 13), (5, 33, 2),
        (9, 113, 5), (13, 57, 300), (6, 16, 257), (2, 200, 31), (130, 50, 784), (70, 10, 50), (784, 50, 64),
        (64, 784, 50), (37, 129, 520), (5, 1, 3), (1, 7, 2), (32, 48, 300), (50, 82, 140), (19, 34, 129), (9, 800, 130),
    ];

    internal static float[] Run(SimdPath path, int threads, bool ta, bool tb, int m, int n, int k, float[] a, float[] b, float[]? bias = null,
        GemmPlan? plan = null)
    {
        var c = new float[m * n];
        Array.Fill(c, float.NaN); // every element must be written
        Gemm.Multiply(ta, tb, m, n, k, a, b, c, bias ?? [], new KernelOptions(path, threads, plan, ForceThreads: true));
        return c;
    }

    // Plan names (GemmPlan is internal): every tile shape and width any CPU may pick.
    public static readonly TheoryData<string> Plans = new(GemmPlan.All.Select(p => p.ToString()));

    private static GemmPlan PlanNamed(string name) => GemmPlan.All.Single(p => p.ToString() == name);

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_candidate_plan_gives_the_same_bits_on_3_4_8_and_16_threads(string planName)
    {
        // More threads than this machine may have cores (forced threads are not capped): each count cuts C into other chunks
        // (row tiles four per thread, one range of lane vectors per thread), and no element may change. Shapes that split by
        // rows and by lanes, in both orientations, with the pair tail and B read in place.
        GemmPlan plan = PlanNamed(planName);
        int seed = 900;
        foreach (var (m, n, k) in new[] { (130, 50, 784), (784, 50, 64), (64, 784, 50), (37, 129, 520), (50, 82, 140), (32, 48, 300) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++), bias = Random(n, seed++);
                    float[] scalar = Run(SimdPath.Scalar, 1, ta, tb, m, n, k, a, b, bias);
                    foreach (int threads in new[] { 3, 4, 8, 16 })
                        Assert.Equal(scalar, Run(SimdPath.Auto, threads, ta, tb, m, n, k, a, b, bias, plan));
                }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_candidate_plan_equals_the_scalar_specification_bit_for_bit_on_1_and_2_threads(string planName)
    {
        GemmPlan plan = PlanNamed(planName);
        int seed = 300;
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++), bias = Random(n, seed++);
                    float[] scalar = Run(SimdPath.Scalar, 1, ta, tb, m, n, k, a, b, bias);
                    Assert.Equal(scalar, Run(SimdPath.Auto, 1, ta, tb, m, n, k, a, b, bias, plan));
                    Assert.Equal(scalar, Run(SimdPath.Auto, 2, ta, tb, m, n, k, a, b, bias, plan));
                }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void B_read_in_place_gives_the_scalar_bits_at_every_offset_from_a_cache_line(string planName)
    {
        // xᵀ·dy with lanes along m reads x in place shifted back to a cache line (the lanes before x's first element, and past
        // each row's end, are computed and never stored). x sits at each of 16 float offsets in a NaN-filled array, so a lane
        // read from outside x that reached C would show; C also sits inside NaN guards that must stay NaN.
        GemmPlan plan = PlanNamed(planName);
        // x is k × m, dy k × n: 48 lanes of x (3 whole lines a row) over 10 rows of dy's columns (split by lanes), and 16
        // lanes over 50 rows (split by rows).
        foreach (var (m, n) in new[] { (48, 10), (16, 50) })
            InPlaceAtEveryOffset(plan, m, n, k: 150);
    }

    private static void InPlaceAtEveryOffset(GemmPlan plan, int m, int n, int k)
    {
        float[] x = Random(k * m, 7), dy = Random(k * n, 8), bias = Random(n, 9);
        float[] expected = Run(SimdPath.Scalar, 1, true, false, m, n, k, x, dy, bias);
        for (int offset = 0; offset < 16; offset++)
        {
            var store = new float[k * m + 64];
            Array.Fill(store, float.NaN);
            x.CopyTo(store, offset);
            foreach (int threads in new[] { 1, 2 })
            {
                var c = new float[m * n + 32];
                Array.Fill(c, float.NaN);
                Gemm.Multiply(true, false, m, n, k, store.AsSpan(offset, k * m), dy, c.AsSpan(16, m * n), bias,
                    new KernelOptions(SimdPath.Auto, threads, plan, ForceThreads: true));
                Assert.Equal(expected, c.AsSpan(16, m * n).ToArray());
                Assert.All(c.AsSpan(0, 16).ToArray(), v => Assert.True(float.IsNaN(v)));
                Assert.All(c.AsSpan(16 + m * n).ToArray(), v => Assert.True(float.IsNaN(v)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_fused_epilogue_equals_product_plus_bias_then_the_relu_kernel_bit_for_bit(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        int seed = 500;
        foreach (var (m, n, k) in new[] { (9, 50, 784), (130, 10, 50), (5, 37, 3), (3, 784, 50), (784, 50, 64), (64, 50, 784) })
            foreach (bool ta in new[] { false, true })
                foreach (float shift in new[] { 0f, -0.5f })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++), bias = Random(n, seed++);
                    float[] expectedPre = Run(path, 2, ta, false, m, n, k, a, b, bias);
                    var expected = new float[m * n];
                    ReluKernels.Forward(expectedPre, shift, expected, SimdPath.Scalar);
                    foreach (GemmPlan? plan in GemmPlan.All.Select(p => (GemmPlan?)p).Prepend(null))
                    {
                        float[] c = new float[m * n], pre = new float[m * n];
                        Array.Fill(c, float.NaN);
                        Array.Fill(pre, float.NaN);
                        Gemm.Multiply(ta, false, m, n, k, a, b, c, bias, pre, relu: true, shift, new KernelOptions(path, 2, plan, ForceThreads: true));
                        Assert.Equal(expectedPre, pre);
                        Assert.Equal(expected, c);
                    }
                }
    }

    [Fact]
    public void The_default_options_choose_a_plan_by_measurement_and_give_the_scalar_bits()
    {
        float[] x = Random(500 * 784, 31), w = Random(784 * 50, 32);
        var c = new float[500 * 50];
        Gemm.Multiply(false, false, 500, 50, 784, x, w, c);
        Assert.Equal(Run(SimdPath.Scalar, 1, false, false, 500, 50, 784, x, w), c);
        if (Gemm.Effective(SimdPath.Auto) != SimdPath.Scalar)
            Assert.Contains(Gemm.TunedPlans(), p => p.StartsWith("m256 n50 k512: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_settled_one_thread_product_allocates_nothing()
    {
        // A batch-64 step runs its products on one thread: once the plan is chosen, a call must not allocate (a closure for
        // the parallel path, captured on entry to the method that declared it, once cost every such call ~180 bytes).
        float[] x = Random(64 * 784, 41), w = Random(784 * 50, 42), dy = Random(64 * 50, 43);
        var c = new float[64 * 50];
        var dw = new float[784 * 50];
        var one = new KernelOptions(SimdPath.Auto, MaxThreads: 1);
        void Both()
        {
            Gemm.Multiply(false, false, 64, 50, 784, x, w, c, default, one);
            Gemm.Multiply(true, false, 784, 50, 64, x, dy, dw, default, one);
        }
        for (int i = 0; i < 20; i++) Both();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Both();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Lanes_along_m_read_in_place_wider_than_one_temporary_give_the_scalar_bits()
    {
        // xᵀ·dy-like, 128 of dy's columns by 8208 of x's (513 whole vectors): with x read in place one group of panels takes
        // as many lanes as its transposed temporary may hold (4 MB: 8192 lanes at 128 rows), so one thread cuts two groups and
        // two threads one each. Every lanes-along-m plan, against the scalar specification.
        const int m = 8208, n = 128, k = 20;
        float[] x = Random(k * m, 71), dy = Random(k * n, 72), bias = Random(n, 73);
        float[] expected = Run(SimdPath.Scalar, 1, true, false, m, n, k, x, dy, bias);
        foreach (var plan in GemmPlan.All.Where(g => g.LanesAlongM))
            foreach (int threads in new[] { 1, 2 })
                Assert.True(expected.SequenceEqual(Run(SimdPath.Auto, threads, true, false, m, n, k, x, dy, bias, plan)), $"{plan}, {threads} thread(s)");
    }

    [Fact]
    public void The_default_options_give_the_scalar_bits_on_every_shape_and_transpose_with_bias()
    {
        int seed = 700;
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++), bias = Random(n, seed++);
                    var c = new float[m * n];
                    Array.Fill(c, float.NaN);
                    Gemm.Multiply(ta, tb, m, n, k, a, b, c, bias);
                    Assert.True(Run(SimdPath.Scalar, 1, ta, tb, m, n, k, a, b, bias).SequenceEqual(c), $"({m}×{k})·({k}×{n}) transA={ta} transB={tb}");
                }
    }

    [Fact]
    public void The_measured_thread_choice_gives_the_scalar_bits_on_every_call_while_it_measures_and_after()
    {
        // Large enough to be worth splitting, so the first calls alternate one thread and all before the rule decides.
        const int m = 10000, n = 50, k = 784;
        float[] x = Random(m * k, 41), w = Random(k * n, 42), bias = Random(n, 43);
        float[] expected = Run(SimdPath.Scalar, 1, false, false, m, n, k, x, w, bias);
        // Calls until the thread count is decided, and two more on it. All four rules decide within 16 calls each even when
        // every pair ties (each samples up to MaxSamples calls a side: first the orientation, when the trial ranked the other
        // one close, then the tile, when the trial's runner-up was close, then prefetch on or off, then the thread count), and
        // up to 8 more each when the pool's threads are busy with other tests and miss a call's chunks (not samples).
        bool decided = false;
        int calls = 0, limit = 4 * 3 * Gemm.MeasuredChoice<int>.MaxSamples + 3;
        bool split = Gemm.Effective(SimdPath.Auto) != SimdPath.Scalar && Environment.ProcessorCount > 1;
        for (int after = 0; after < 3 && calls < limit; calls++)
        {
            var c = new float[m * n];
            Array.Fill(c, float.NaN);
            Gemm.Multiply(false, false, m, n, k, x, w, c, bias);
            Assert.Equal(expected, c);
            decided = decided || Gemm.ThreadDecisions().Any(d => d.StartsWith($"m{m} n{n} k{k}: ", StringComparison.Ordinal) && d.Contains(" thread(s) (1: ", StringComparison.Ordinal));
            if (decided || !split) after++;
        }
        if (split) Assert.True(decided, $"no thread count decided in {calls} calls: {string.Join("; ", Gemm.ThreadDecisions())}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_matches_a_double_precision_triple_loop_for_all_transposes(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        int seed = 1;
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++);
                    var (expected, abs) = Product(ta, tb, m, n, k, a, b);
                    float[] c = Run(path, 2, ta, tb, m, n, k, a, b);
                    for (int e = 0; e < c.Length; e++)
                    {
                        double tol = 1e-6 * abs[e] * Math.Max(1, Math.Sqrt(k)) + 1e-30;
                        Assert.True(Math.Abs(c[e] - expected[e]) <= tol,
                            $"{path} ({m}×{k})·({k}×{n}) transA={ta} transB={tb}: C[{e / n},{e % n}] = {c[e]}, expected {expected[e]}");
                    }
                }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_equals_the_scalar_specification_bit_for_bit(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        int seed = 100;
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    float[] a = Random(m * k, seed++), b = Random(k * n, seed++);
                    Assert.Equal(Run(SimdPath.Scalar, 1, ta, tb, m, n, k, a, b), Run(path, 2, ta, tb, m, n, k, a, b));
                }
    }

    [Fact]
    public void Thread_count_does_not_change_a_single_bit()
    {
        // Large enough to be split across threads: rows for x·w, lane columns for xᵀ·dy.
        float[] x = Random(600 * 300, 7), w = Random(300 * 50, 8), dy = Random(600 * 50, 9);
        Assert.Equal(Run(SimdPath.Auto, 1, false, false, 600, 50, 300, x, w), Run(SimdPath.Auto, 2, false, false, 600, 50, 300, x, w));
        Assert.Equal(Run(SimdPath.Auto, 1, true, false, 300, 50, 600, x, dy), Run(SimdPath.Auto, 2, true, false, 300, 50, 600, x, dy));
        Assert.Equal(Run(SimdPath.Auto, 1, false, true, 600, 300, 50, dy, w), Run(SimdPath.Auto, 2, false, true, 600, 300, 50, dy, w));
    }

    [Fact]
    public void Repeated_runs_give_the_same_bits()
    {
        float[] x = Random(1000 * 784, 11), w = Random(784 * 50, 12);
        float[] first = Run(SimdPath.Auto, 2, false, false, 1000, 50, 784, x, w);
        for (int r = 0; r < 3; r++) Assert.Equal(first, Run(SimdPath.Auto, 2, false, false, 1000, 50, 784, x, w));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Fused_bias_equals_the_product_plus_the_bias_bit_for_bit(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        foreach (var (m, n, k) in new[] { (9, 50, 784), (130, 10, 50), (5, 37, 3), (3, 784, 50) })
            foreach (bool ta in new[] { false, true })
            {
                float[] a = Random(m * k, m + n), b = Random(k * n, k), bias = Random(n, n);
                float[] c = Run(path, 2, ta, false, m, n, k, a, b);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) c[i * n + j] += bias[j];
                Assert.Equal(c, Run(path, 2, ta, false, m, n, k, a, b, bias));
            }
    }

    [Fact]
    public void Linear_forward_with_its_fused_bias_equals_matmul_plus_bias_bit_for_bit()
    {
        var x = Tensor.FromArray(Random(300 * 784, 21), 300, 784);
        var w = Tensor.FromArray(Random(784 * 50, 22), 784, 50);
        var b = Tensor.FromArray(Random(50, 23), 50);
        Assert.Equal((Ops.MatMul(x, w) + b).ToArray(), Linear.Forward(x, w, b).Output.ToArray());
    }

    [Fact]
    public void MatMul_with_transpose_flags_equals_matmul_of_explicit_transposes()
    {
        var a = Tensor.FromArray(Random(7 * 5, 3), 7, 5);
        var b = Tensor.FromArray(Random(5 * 4, 4), 5, 4);
        var at = Tensor.FromArray(Transpose(a.ToArray(), 7, 5), 5, 7);
        var bt = Tensor.FromArray(Transpose(b.ToArray(), 5, 4), 4, 5);
        float[] expected = Ops.MatMul(a, b).ToArray();
        Assert.Equal(expected, Ops.MatMul(at, b, transposeA: true, transposeB: false).ToArray());
        Assert.Equal(expected, Ops.MatMul(a, bt, transposeA: false, transposeB: true).ToArray());
        Assert.Equal(expected, Ops.MatMul(at, bt, transposeA: true, transposeB: true).ToArray());
    }

    [Fact]
    public void Zero_inner_dimension_gives_zeros()
    {
        var c = Ops.MatMul(Tensor.Zeros(3, 0), Tensor.Zeros(0, 2));
        Assert.Equal(new[] { 3, 2 }, c.ShapeArray());
        Assert.All(c.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Buffers_too_small_for_the_shapes_are_rejected_with_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 3, 4, 5, new float[14], new float[20], new float[12]));
        Assert.Contains("(3×5)·(5×4)", e.Message);
    }

    private static float[] Transpose(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}

/// <summary>The measured choice (thread count, orientation) from minimum timings (ticks): a win by 5 % either way decides, a tie keeps sampling.</summary>
public class GemmThreadRuleTests
{
    [Theory]
    [InlineData(100, 1, 50, 2, 0)]    // too few samples of A (one thread) yet
    [InlineData(100, 2, 50, 2, 2)]    // B (all threads) twice as fast
    [InlineData(100, 2, 94, 2, 2)]    // B wins by more than 5 %
    [InlineData(100, 2, 96, 2, 0)]    // within 5 %: a tie, keep alternating
    [InlineData(100, 2, 104, 2, 0)]   // within 5 % the other way: still a tie
    [InlineData(100, 2, 106, 2, 1)]   // B clearly slower: A
    [InlineData(100, 8, 99, 8, 1)]    // still a tie after 8 calls each: A
    public void Decides_only_on_a_5_percent_difference_or_after_eight_ties(long a, int aRuns, long b, int bRuns, int expected) =>
        Assert.Equal(expected, Mlp.Kernels.Gemm.MeasuredChoice<int>.Decide(a, aRuns, b, bRuns));

    [Fact]
    public void A_call_that_ran_without_all_its_threads_is_not_a_sample_until_eight_such_calls()
    {
        var rule = new Mlp.Kernels.Gemm.MeasuredChoice<int>();
        const int max = Mlp.Kernels.Gemm.MeasuredChoice<int>.MaxSamples;
        rule.UseB(1); // a call asks which side to run before it records its time
        rule.Record(1, usedB: false, 100);
        rule.Record(1, usedB: false, 100);
        // Two threads asked, one ran (the other core was away): as slow as one thread, and left out.
        for (int i = 0; i < 3; i++) rule.Record(1, usedB: true, 100, allThreads: false);
        Assert.False(rule.IsDecided(1));
        Assert.Equal(long.MaxValue, rule.Minima(1).B);
        // The cores are back: two threads win.
        rule.Record(1, usedB: true, 55);
        rule.Record(1, usedB: true, 56);
        Assert.True(rule.IsDecided(1));
        Assert.True(rule.UseB(1));

        // A machine whose other cores stay away: after MaxSamples calls left out, such calls count, and one thread is kept.
        rule.UseB(2);
        rule.Record(2, usedB: false, 100);
        rule.Record(2, usedB: false, 100);
        for (int i = 0; i < max; i++) rule.Record(2, usedB: true, 120, allThreads: false);
        Assert.False(rule.IsDecided(2));
        rule.Record(2, usedB: true, 120, allThreads: false);
        rule.Record(2, usedB: true, 121, allThreads: false);
        Assert.True(rule.IsDecided(2));
        Assert.False(rule.UseB(2));
        Assert.Equal((100L, 120L), rule.Minima(2));
    }

    [Fact]
    public void A_decision_with_a_recheck_is_measured_again_after_its_interval_twice_as_long_when_confirmed()
    {
        var rule = new Mlp.Kernels.Gemm.MeasuredChoice<int>(recheckAfter: 4);
        void Measure(long a, long b)
        {
            while (!rule.IsDecided(7))
            {
                bool useB = rule.UseB(7);
                rule.Record(7, useB, useB ? b : a);
            }
        }
        int UsesUntilRecheck()
        {
            int uses = 0;
            while (!rule.RecheckDue(7)) uses++;
            Assert.False(rule.IsDecided(7));    // due: measured again from scratch
            Assert.Equal((long.MaxValue, long.MaxValue), rule.Minima(7));
            return uses;
        }
        Assert.False(rule.RecheckDue(7));       // nothing decided, nothing to recheck
        Measure(100, 98);                       // a tie: one thread
        Assert.False(rule.UseB(7));
        Assert.Equal(4, UsesUntilRecheck());    // decided for 4 calls, the 5th measures again
        Measure(100, 55);                       // the second core is there now
        Assert.True(rule.UseB(7));
        Assert.Equal(4, UsesUntilRecheck());    // the recheck changed the decision: the next one comes as soon
        Measure(100, 56);
        Assert.Equal(8, UsesUntilRecheck());    // confirmed: twice as long
        Measure(100, 54);
        Assert.Equal(16, UsesUntilRecheck());
        // Without a recheck a decision stands.
        var once = new Mlp.Kernels.Gemm.MeasuredChoice<int>();
        once.UseB(7);
        once.Record(7, false, 100); once.Record(7, false, 100); once.Record(7, true, 200); once.Record(7, true, 200);
        for (int i = 0; i < 1000; i++) Assert.False(once.RecheckDue(7));
        Assert.True(once.IsDecided(7));
    }

    // A product on `threads` cores whose call on t threads takes times(t) ticks, driven through the ladder with the rule's
    // rechecks for `calls` calls; returns the thread count each call ran on.
    private static List<int> DriveWithRechecks(Mlp.Kernels.Gemm.MeasuredChoice<Mlp.Kernels.Gemm.ThreadKey> rule, int threads, Func<int, long> times, int calls)
    {
        var first = new Mlp.Kernels.Gemm.ThreadKey(SimdPath.Auto, false, new GemmPlan(16, 8, 3), 10000, 50, 784, true, true, threads);
        var ran = new List<int>();
        for (int call = 0; call < calls; call++)
        {
            if (Mlp.Kernels.Gemm.ThreadStep(rule, first, out int settled) is { } step)
            {
                bool more = rule.UseB(step);
                int t = more ? step.Threads : step.Fewer;
                rule.Record(step, more, times(t));
                ran.Add(t);
            }
            else ran.Add(settled);
        }
        return ran;
    }

    [Fact]
    public void A_thread_count_settled_while_a_core_was_away_is_measured_again_and_the_threads_come_back()
    {
        var rule = new Mlp.Kernels.Gemm.MeasuredChoice<Mlp.Kernels.Gemm.ThreadKey>(recheckAfter: Mlp.Kernels.Gemm.ThreadRecheckCalls);
        // The second core away for the first 40 calls (two threads no faster than one), then back.
        var away = DriveWithRechecks(rule, 2, t => t == 1 ? 382 : 376, 40);
        Assert.Equal(1, away[^1]);
        var back = DriveWithRechecks(rule, 2, t => t == 1 ? 400 : 210, 200);
        int firstTwo = back.IndexOf(2);
        Assert.InRange(firstTwo, 0, Mlp.Kernels.Gemm.ThreadRecheckCalls);   // measured again within the interval
        Assert.All(back.Skip(firstTwo + 2 * Mlp.Kernels.Gemm.MeasuredChoice<int>.MaxSamples), t => Assert.Equal(2, t));
        // Settled on two, all the threads there are: nothing holds the count down, so nothing is measured again.
        Assert.All(DriveWithRechecks(rule, 2, t => t == 1 ? 400 : 210, 10000), t => Assert.Equal(2, t));
    }

    [Fact]
    public void A_recheck_on_sixteen_cores_measures_only_the_step_that_held_the_count_down_never_one_thread()
    {
        // Memory-bound from 8 threads on (8 ties 16, 4 is slower than 8): the ladder settles on 8, held down by 8 beating 16.
        long Times(int t) => t switch { 1 => 1600, 2 => 800, 4 => 400, _ => 205 };
        var rule = new Mlp.Kernels.Gemm.MeasuredChoice<Mlp.Kernels.Gemm.ThreadKey>(recheckAfter: Mlp.Kernels.Gemm.ThreadRecheckCalls);
        var settling = DriveWithRechecks(rule, 16, Times, 60);
        Assert.Equal(8, settling[^1]);
        // Thousands of calls later, the rechecks have run 8 against 16 again and again, and nothing below 8.
        var later = DriveWithRechecks(rule, 16, Times, 5000);
        Assert.Contains(16, later);
        Assert.All(later, t => Assert.True(t >= 8, $"a recheck ran {t} threads"));
        Assert.True(later.Count(t => t == 16) <= 8 * 2 * Mlp.Kernels.Gemm.MeasuredChoice<int>.MaxSamples, "rechecks must stay rare");
        // Settled on all 16 (they beat 8 by more than 5 %): never measured again.
        var all = new Mlp.Kernels.Gemm.MeasuredChoice<Mlp.Kernels.Gemm.ThreadKey>(recheckAfter: Mlp.Kernels.Gemm.ThreadRecheckCalls);
        long Scales(int t) => 1600 / t;
        var run = DriveWithRechecks(all, 16, Scales, 5000);
        Assert.All(run.Skip(60), t => Assert.Equal(16, t));
    }

    // The thread ladder driven by a product whose call on t threads takes times[t] ticks (the ladder's own calls are the
    // measurement): one thread against all first, then, while all win, halving for as long as the fewer threads are not 5 % slower.
    [Theory]
    [InlineData(2, "1:100,2:55", 2)]                                  // two cores: the one step, two threads win
    [InlineData(2, "1:100,2:98", 1)]                                  // two cores, a tie: one thread
    [InlineData(16, "1:100,16:150", 1)]                               // all threads slower than one: one
    [InlineData(16, "1:1600,2:800,4:400,8:200,16:100", 16)]           // scales to every core: all
    [InlineData(16, "1:1600,2:800,4:400,8:200,16:260", 8)]            // 16 slower than 8, and 8 beats 4: 8
    [InlineData(16, "1:1000,2:520,4:300,8:300,16:300", 4)]            // memory-bound from 4 on (ties go to fewer): 4
    [InlineData(16, "1:1000,2:300,4:300,8:300,16:300", 2)]            // flat from 2 on: 2
    [InlineData(13, "1:1300,6:220,13:215,3:430", 6)]                  // 13 work units: 13 → 6 (a tie) → 3 loses: 6
    [InlineData(16, "1:100,2:90,4:80,8:70,16:99", 1)]                 // all within 5 % of one after 8 calls each: one
    [InlineData(16, "1:1600,2:200,4:108,8:104,16:100", 8)]            // 8 ties 16 and 4 ties 8, but 4 is 8 % slower than 16: 8
    public void The_thread_ladder_settles_on_the_fewest_threads_that_are_not_slower(int threads, string times, int expected)
    {
        var ticks = times.Split(',').Select(p => p.Split(':')).ToDictionary(p => int.Parse(p[0]), p => long.Parse(p[1]));
        var rule = new Mlp.Kernels.Gemm.MeasuredChoice<Mlp.Kernels.Gemm.ThreadKey>();
        var first = new Mlp.Kernels.Gemm.ThreadKey(SimdPath.Auto, false, new GemmPlan(16, 8, 3), 50000, 50, 784, true, true, threads);
        int calls = 0, settled;
        while (Mlp.Kernels.Gemm.ThreadStep(rule, first, out settled) is { } step)
        {
            bool more = rule.UseB(step);
            rule.Record(step, more, ticks[more ? step.Threads : step.Fewer]);
            Assert.True(++calls <= 4 * 2 * Mlp.Kernels.Gemm.MeasuredChoice<int>.MaxSamples, "the ladder must settle within its steps' samples");
        }
        Assert.Equal(expected, settled);
        // Settled means settled: the next call runs the same count and measures nothing.
        Assert.Null(Mlp.Kernels.Gemm.ThreadStep(rule, first, out int again));
        Assert.Equal(expected, again);
    }
}
