using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>
/// The machine's measured FP32 fused multiply-add peak, the roofline the benchmarks divide by: a register-only loop of
/// independent FMAs (no loads, so nothing but the FMA units limits it), on Vector512 and Vector256, on one thread and on
/// every core at once, the best of a few tries (turbo clocks and other tenants move it).
/// </summary>
internal static class FmaPeak
{
    /// <summary>The result: GFLOP/s (2 per lane-FMA) per width and thread count.</summary>
    /// <param name="Vector512OneThread">Vector512 on one thread (0 when not accelerated).</param>
    /// <param name="Vector256OneThread">Vector256 on one thread (0 when not accelerated).</param>
    /// <param name="Vector512AllThreads">Vector512 on all cores.</param>
    /// <param name="Vector256AllThreads">Vector256 on all cores.</param>
    /// <param name="Threads">The "all threads" count.</param>
    public readonly record struct Result(double Vector512OneThread, double Vector256OneThread, double Vector512AllThreads, double Vector256AllThreads, int Threads)
    {
        /// <summary>The better width on one thread.</summary>
        public double OneThread => Math.Max(Vector512OneThread, Vector256OneThread);

        /// <summary>The better width on all threads.</summary>
        public double AllThreads => Math.Max(Vector512AllThreads, Vector256AllThreads);
    }

    private const int Iterations = 1 << 20;   // × 16 FMAs per iteration: ~5 ms per try at 4 FMA/ns

    /// <summary>Measures the peak: each configuration the best of <paramref name="tries"/> runs.</summary>
    public static Result Measure(int tries = 5)
    {
        int threads = Environment.ProcessorCount;
        double v512 = KernelOptions.Has512 ? Best(tries, 1, Loop512) : 0, v256 = KernelOptions.Has256 ? Best(tries, 1, Loop256) : 0;
        double v512All = KernelOptions.Has512 ? Best(tries, threads, Loop512) : 0, v256All = KernelOptions.Has256 ? Best(tries, threads, Loop256) : 0;
        return new Result(v512, v256, v512All, v256All, threads);
    }

    private static double Best(int tries, int threads, Func<int, (float Sum, long Flops)> loop)
    {
        loop(1024); // compile
        double best = 0;
        for (int t = 0; t < tries; t++)
        {
            long flops = 0;
            long t0 = Stopwatch.GetTimestamp();
            if (threads == 1) flops = loop(Iterations).Flops;
            else
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
                    Interlocked.Add(ref flops, loop(Iterations).Flops));
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            best = Math.Max(best, flops / seconds / 1e9);
        }
        return best;
    }

    // 16 independent accumulators: enough to cover FMA latency × pipes on any current x86 core (4 cycles × 2-4 pipes).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static (float, long) Loop512(int iterations)
    {
        Vector512<float> m = Vector512.Create(0.999999f), x = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0 + x, a2 = a1 + x, a3 = a2 + x, a4 = a3 + x, a5 = a4 + x, a6 = a5 + x, a7 = a6 + x;
        Vector512<float> a8 = a7 + x, a9 = a8 + x, a10 = a9 + x, a11 = a10 + x, a12 = a11 + x, a13 = a12 + x, a14 = a13 + x, a15 = a14 + x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, x); a1 = Vector512.FusedMultiplyAdd(a1, m, x);
            a2 = Vector512.FusedMultiplyAdd(a2, m, x); a3 = Vector512.FusedMultiplyAdd(a3, m, x);
            a4 = Vector512.FusedMultiplyAdd(a4, m, x); a5 = Vector512.FusedMultiplyAdd(a5, m, x);
            a6 = Vector512.FusedMultiplyAdd(a6, m, x); a7 = Vector512.FusedMultiplyAdd(a7, m, x);
            a8 = Vector512.FusedMultiplyAdd(a8, m, x); a9 = Vector512.FusedMultiplyAdd(a9, m, x);
            a10 = Vector512.FusedMultiplyAdd(a10, m, x); a11 = Vector512.FusedMultiplyAdd(a11, m, x);
            a12 = Vector512.FusedMultiplyAdd(a12, m, x); a13 = Vector512.FusedMultiplyAdd(a13, m, x);
            a14 = Vector512.FusedMultiplyAdd(a14, m, x); a15 = Vector512.FusedMultiplyAdd(a15, m, x);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return (Vector512.Sum(s), (long)iterations * 16 * 16 * 2);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static (float, long) Loop256(int iterations)
    {
        Vector256<float> m = Vector256.Create(0.999999f), x = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0 + x, a2 = a1 + x, a3 = a2 + x, a4 = a3 + x, a5 = a4 + x, a6 = a5 + x, a7 = a6 + x;
        Vector256<float> a8 = a7 + x, a9 = a8 + x, a10 = a9 + x, a11 = a10 + x;
        // 12 accumulators + 2 constants fit the 16 registers of AVX2 (no AVX-512), so nothing spills.
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, x); a1 = Vector256.FusedMultiplyAdd(a1, m, x);
            a2 = Vector256.FusedMultiplyAdd(a2, m, x); a3 = Vector256.FusedMultiplyAdd(a3, m, x);
            a4 = Vector256.FusedMultiplyAdd(a4, m, x); a5 = Vector256.FusedMultiplyAdd(a5, m, x);
            a6 = Vector256.FusedMultiplyAdd(a6, m, x); a7 = Vector256.FusedMultiplyAdd(a7, m, x);
            a8 = Vector256.FusedMultiplyAdd(a8, m, x); a9 = Vector256.FusedMultiplyAdd(a9, m, x);
            a10 = Vector256.FusedMultiplyAdd(a10, m, x); a11 = Vector256.FusedMultiplyAdd(a11, m, x);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return (Vector256.Sum(s), (long)iterations * 12 * 8 * 2);
    }
}
