using System.Diagnostics;
using System.Runtime.InteropServices;
using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>
/// <c>--line-offset</c>: xᵀ·dy with x (50000×784) in a buffer that starts on a cache line and in one that starts 24 bytes past
/// a line (where the GC put x's array on the Zen 5 VM this was written on), interleaved in one process, 1 and 2 threads,
/// medians of 10 calls after the measured choices settle. Before the kernel shifted in-place lanes back to a line, the
/// second ran 7–30 % slower; since, the two should match.
/// </summary>
internal static unsafe class LineOffsetCompare
{
    public static void Run()
    {
        const int M = 50000, K = 784, N = 50;
        var rng = new Rng(42);
        Tensor x = rng.Normal(M, K), dy = rng.Normal(M, N), w = rng.Normal(K, N);
        float* buf = (float*)NativeMemory.AlignedAlloc((nuint)((long)M * K * 4 + 4096), 4096);
        float* al = buf, mis = buf + 6; // 24 B past a line, as the managed arrays here
        var cw = new float[K * N];
        foreach (int th in new[] { 1, 2 })
        {
            var o = new KernelOptions(MaxThreads: th);
            var r = new Dictionary<string, List<double>>();
            for (int i = 0; i < 40; i++)
                foreach (bool a in new[] { i % 2 == 0, i % 2 != 0 })
                {
                    float* p = a ? al : mis;
                    x.Data.AsSpan().CopyTo(new Span<float>(p, M * K));
                    long t0 = Stopwatch.GetTimestamp();
                    Gemm.Multiply(true, false, K, N, M, new ReadOnlySpan<float>(p, M * K), dy.Data, cw, default, o);
                    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    if (i < 30) continue;
                    string key = a ? "aligned" : "24 B off";
                    if (!r.TryGetValue(key, out var l)) r[key] = l = [];
                    l.Add(ms);
                }
            foreach (var (k, l) in r) { l.Sort(); Console.WriteLine($"{th}t xᵀ·dy {k}: median {l[l.Count / 2]:F2} min {l[0]:F2} ({2.0 * M * K * N / l[l.Count / 2] / 1e6:F0} GFLOP/s)"); }
        }
    }
}
