using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>
/// <c>--read-pattern</c>: reading a line-aligned 50000×784 x (157 MB) on one thread, with no arithmetic, in the orders a
/// product would: straight through, and as xᵀ·dy reads it in place — per k block of 128 rows, a panel of 48 or 64 floats of
/// every row, then the next panel — without and with the kernel's prefetch of the next panel's lines into L1, and on two threads
/// each reading half of every row's panels. Three rounds;
/// what it shows is how fast memory can deliver x in each order, to set against what the products take from it.
/// </summary>
internal static unsafe class ReadPattern
{
    private const int Rows = 50000, Cols = 784;

    public static void Run()
    {
        float* x = (float*)NativeMemory.AlignedAlloc((nuint)((long)Rows * Cols * sizeof(float)), 64);
        try
        {
            new Span<float>(x, Rows * Cols).Fill(1f);
            float sink = 0;
            var orders = new (string Name, Func<float> Read)[]
            {
                ("straight through", () => Straight(x)),
                ("panels of 48, no prefetch", () => Panels(x, 48, false)),
                ("panels of 48, next prefetched", () => Panels(x, 48, true)),
                ("panels of 64, next prefetched", () => Panels(x, 64, true)),
                ("panels of 16, next prefetched", () => Panels(x, 16, true)),
                ("2 threads, half the panels each", () => TwoThreads(x, 48)),
            };
            for (int round = 0; round < 3; round++)
                foreach (var (name, read) in orders)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    sink += read();
                    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    Console.WriteLine($"round {round + 1}: {name,-30} {ms,6:F2} ms = {4.0 * Rows * Cols / ms / 1e6,5:F1} GB/s");
                }
            GC.KeepAlive(sink);
        }
        finally
        {
            NativeMemory.AlignedFree(x);
        }
    }

    private static float Straight(float* x)
    {
        var acc = Vector512<float>.Zero;
        for (long i = 0; i < (long)Rows * Cols; i += 16) acc += Vector512.Load(x + i);
        return Vector512.Sum(acc);
    }

    // As two threads of xᵀ·dy read x: each the panels of its half of the columns (each row's first 400 floats, the rest).
    private static float TwoThreads(float* x, int panel)
    {
        float s0 = 0, s1 = 0;
        Parallel.Invoke(() => s0 = Panels(x, panel, true, 0, 400), () => s1 = Panels(x, panel, true, 400, Cols));
        return s0 + s1;
    }

    private static float Panels(float* x, int panel, bool prefetch, int c0 = 0, int c1 = Cols)
    {
        var acc = Vector512<float>.Zero;
        for (int kb = 0; kb < Rows; kb += 128)
        {
            int ke = Math.Min(Rows, kb + 128);
            for (int j = c0; j < c1; j += panel)
            {
                // The next panel of this k block, or the first of the next one.
                int nj = j + panel, nk = kb;
                if (nj >= c1) (nj, nk) = (c0, kb + 128);
                for (int k = kb; k < ke; k++)
                {
                    if (prefetch && nk + k - kb < Rows)
                        Prefetch.Rows(x + (long)(nk + k - kb) * Cols + nj, Cols, 1, panel, toL1: true); // as the kernel does
                    float* row = x + (long)k * Cols + j;
                    for (int v = 0; v < panel && j + v < c1; v += 16) acc += Vector512.Load(row + v);
                }
            }
        }
        return Vector512.Sum(acc);
    }
}
