using System.Diagnostics;
using BenchmarkDotNet.Running;
using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>
/// BenchmarkDotNet entry point (<c>dotnet run -c Release --project bench/Mlp.Benchmarks -- --filter '*'</c>), plus
/// <c>--quick</c>: a few seconds of Stopwatch timings of the GEMM shapes, for iterating on kernels.
/// </summary>
public static class Program
{
    // Modes that take no arguments: read bandwidth, the micro-kernel in L1 (on x·w1's tiles, and on xᵀ·dy's operands), row
    // (f)'s collections, row (c') part by part, xᵀ·dy with x on a cache line and off one, x read (no arithmetic) in the orders
    // the products read it, the softmax's exponential against the C library's.
    private static readonly Dictionary<string, Action> Modes = new()
    {
        ["--stream"] = StreamBandwidth,
        ["--tile-l1"] = TileInL1,
        ["--tile-xtdy"] = TileXtdy,
        ["--epoch-gc"] = EpochGc,
        ["--c2-parts"] = C2Parts,
        ["--line-offset"] = LineOffsetCompare.Run,
        ["--read-pattern"] = ReadPattern.Run,
        ["--exp-ulps"] = ExpUlps.Run,
    };

    public static void Main(string[] args)
    {
        if (args.Length > 0 && Modes.TryGetValue(args[0], out var mode))
        {
            mode();
            return;
        }
        if (args.Length > 0 && args[0] == "--probe")
        {
            var rng = new Rng(1);
            var x = rng.Normal(50000, 784);
            var w1 = rng.Normal(784, 50);
            var b1 = rng.Normal(50);
            var w2 = rng.Normal(50, 1);
            var b2 = rng.Normal(1);
            var h = Ops.LinearRelu(x, w1, b1).Output;
            Console.WriteLine($"matmul x·w1     {MinMicros(() => Ops.MatMul(x, w1), 5) / 1000,8:F2} ms");
            Console.WriteLine($"linear x·w1+b1  {MinMicros(() => Mlp.Linear.Forward(x, w1, b1), 5) / 1000,8:F2} ms");
            Console.WriteLine($"LinearRelu      {MinMicros(() => Ops.LinearRelu(x, w1, b1), 5) / 1000,8:F2} ms");
            Console.WriteLine($"linear h·w2+b2  {MinMicros(() => Mlp.Linear.Forward(h, w2, b2), 5) / 1000,8:F2} ms");
            foreach (string t in Gemm.TunedPlans()) Console.WriteLine("  picked " + t);
            return;
        }
        if (args.Length > 0 && args[0] == "--plans")
        {
            Plans(args.Length > 1 ? int.Parse(args[1]) : 1);
            return;
        }
        if (args.Length > 0 && args[0] == "--core-away")
        {
            CoreAway(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
            return;
        }
        if (args.Length > 0 && args[0] == "--threads")
        {
            Threads(args.Length > 1 ? int.Parse(args[1]) : 9);
            return;
        }
        if (args.Length > 0 && args[0] == "--xtdy")
        {
            var rng = new Rng(42);
            Tensor x = rng.Normal(50000, 784), dy = rng.Normal(50000, 50);
            var c = new float[784 * 50];
            foreach (var plan in (Environment.GetEnvironmentVariable("XTDY_ORDER") ?? "auto|V512 6×4 m-lanes|V512 6×4|V512 6×4 pf m-lanes").Split("|"))
            {
                GemmPlan? g = plan == "auto" ? null : GemmPlan.All.Single(p => p.ToString() == plan);
                foreach (int th in new[] { 1, 2 })
                {
                    var ts = new List<double>();
                    for (int i = 0; i < 9; i++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        if (g is null) { if (th == 2) GC.KeepAlive(Ops.MatMul(x, dy, true, false)); else Gemm.Multiply(true, false, 784, 50, 50000, x.Data, dy.Data, c, default, new KernelOptions(MaxThreads: 1)); }
                        else Gemm.Multiply(true, false, 784, 50, 50000, x.Data, dy.Data, c, default, new KernelOptions(SimdPath.Auto, th, g, ForceThreads: true));
                        ts.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                    Console.WriteLine($"{plan,-22} {th}t: " + string.Join(" ", ts.Select(t => t.ToString("F1"))));
                }
            }
            foreach (var d in Gemm.ThreadDecisions()) Console.WriteLine("  threads " + d);
            foreach (var d in Gemm.TunedPlans()) Console.WriteLine("  plan " + d);
            return;
        }
        if (args.Length > 0 && args[0] == "--xtdy-depth")
        {
            var rng = new Rng(42);
            Tensor x = rng.Normal(50000, 784), dy = rng.Normal(50000, 50);
            var c = new float[784 * 50];
            double peak = FmaPeak.Measure().OneThread;
            var plans = (Environment.GetEnvironmentVariable("XTDY_ORDER") ?? "V512 6×4 pf m-lanes|V512 8×3 pf m-lanes|V512 6×4 m-lanes").Split("|");
            foreach (int depth in (Environment.GetEnvironmentVariable("XTDY_DEPTHS") ?? "128,256,512,2048,50000").Split(',').Select(int.Parse))
                foreach (var plan in plans)
                {
                    GemmPlan g = GemmPlan.All.Single(p => p.ToString() == plan);
                    var opt = new KernelOptions(SimdPath.Auto, 1, g, ForceThreads: true);
                    int reps = Math.Max(1, 50000 / depth);
                    double best = double.MaxValue;
                    for (int r = 0; r < int.Parse(Environment.GetEnvironmentVariable("XTDY_ROUNDS") ?? "7"); r++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        for (int i = 0; i < reps; i++)
                            Gemm.Multiply(true, false, 784, 50, depth, x.Data.AsSpan(0, depth * 784), dy.Data.AsSpan(0, depth * 50), c, default, opt);
                        best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds / reps);
                    }
                    double gf = 2.0 * 784 * 50 * depth / best / 1e9;
                    Console.WriteLine($"k {depth,6} {plan,-22} {gf,6:F1} GFLOP/s  {100 * gf / peak,5:F1} % of {peak:F0}");
                }
            return;
        }
        if (args.Length > 0 && args[0] == "--xw-rows")
        {
            // x·w1 on one thread by how many rows it covers: the same rows every call (they stay in cache) against fresh rows
            // of a 50000-row x each call (they stream from memory), forced plan V512 6×4 and the measured one.
            var rng = new Rng(42);
            Tensor x = rng.Normal(50000, 784), w = rng.Normal(784, 50);
            var c = new float[50000 * 50];
            foreach (string plan in (Environment.GetEnvironmentVariable("XW_PLANS") ?? "V512 6×4 pf|V512 8×3+pair pf|V512 6×3+pair pf|auto").Split("|"))
                foreach (int m in new[] { 256, 2048, 8192, 50000 })
                {
                    var o = plan == "auto" ? new KernelOptions(MaxThreads: 1) : new KernelOptions(SimdPath.Auto, 1, GemmPlan.All.Single(p => p.ToString() == plan), ForceThreads: true);
                    double cached = double.MaxValue, fresh = double.MaxValue;
                    int reps = Math.Max(5, 200000 / m), slices = 50000 / m;
                    for (int r = 0; r < reps; r++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        Gemm.Multiply(false, false, m, 50, 784, x.Data, w.Data, c, default, o);
                        cached = Math.Min(cached, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        int s0 = (r % Math.Max(1, slices - 1) + 1) * m;
                        if (s0 + m > 50000) s0 = 0;
                        t0 = Stopwatch.GetTimestamp();
                        Gemm.Multiply(false, false, m, 50, 784, x.Data.AsSpan(s0 * 784), w.Data, c, default, o);
                        fresh = Math.Min(fresh, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                    double flops = 2.0 * m * 784 * 50;
                    Console.WriteLine($"{plan,-18} m {m,6}: same rows {flops / cached / 1e6,5:F0} GFLOP/s, fresh rows {flops / fresh / 1e6,5:F0} GFLOP/s");
                }
            return;
        }
        if (args.Length > 0 && args[0] == "--quick")
        {
            Quick(args.Length > 1 ? Enum.Parse<SimdPath>(args[1]) : SimdPath.Auto, args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Quick(SimdPath path, int threads)
    {
        if (Environment.GetEnvironmentVariable("MLP_QUICK_STEP") == "1")
        {
            QuickStep();
            StepParts();
        }
        foreach (var s in GemmShapes.All)
        {
            var (a, b, c) = s.Allocate();
            var options = new KernelOptions(path, threads);
            var times = new List<double>();
            var cpu = new List<double>();
            int reps = s.Flops > 1e9 ? 5 : 200;
            var self = Process.GetCurrentProcess();
            for (int r = 0; r < reps; r++)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, b, c, [], options);
                times.Add(sw.Elapsed.TotalMilliseconds);
                self.Refresh();
                cpu.Add((self.TotalProcessorTime - cpu0).TotalMilliseconds);
            }
            times.Sort();
            cpu.Sort();
            // CPU time says how fast the kernel runs when it has the cores; wall time includes waiting for them on a shared machine.
            Console.WriteLine($"{s,-34} {path,-9} wall min {times[0],8:F3} median {times[reps / 2],8:F3} ms  {s.Flops / times[0] / 1e6,6:F1} GFLOP/s   cpu median {cpu[reps / 2],8:F3} ms  {s.Flops / cpu[reps / 2] / 1e6,6:F1} GFLOP/s per core");
        }
    }

    // Every candidate GEMM plan forced on each lesson shape, min-of-N wall time interleaved plan by plan, beside the FMA peak
    // and the plan the measurement picks: for choosing tile shapes on a new CPU.
    private static void Plans(int threads)
    {
        var peak = FmaPeak.Measure();
        Console.WriteLine($"FMA peak GFLOP/s: 1 thread V512 {peak.Vector512OneThread:F0} V256 {peak.Vector256OneThread:F0}; " +
            $"{peak.Threads} threads V512 {peak.Vector512AllThreads:F0} V256 {peak.Vector256AllThreads:F0}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        // MLP_PLAN_SHAPES=0,3 limits the run to those shapes (indices into GemmShapes.All).
        var only = Environment.GetEnvironmentVariable("MLP_PLAN_SHAPES")?.Split(',').Select(int.Parse).ToHashSet();
        foreach (var s in GemmShapes.All.Where((_, i) => only is null ? i < 7 : only.Contains(i)))
        {
            var plans = GemmPlan.Candidates(SimdPath.Auto, lanesN: s.N, lanesM: s.M);
            plans = [.. plans, .. plans.Select(g => g with { Prefetch = true })];
            var (a, b, c) = s.Allocate();
            int reps = s.Flops > 1e9 ? 4 : 100;
            var best = new double[plans.Length + 1];
            Array.Fill(best, double.MaxValue);
            for (int r = 0; r < reps; r++)
                for (int i = 0; i <= plans.Length; i++)
                {
                    var o = new KernelOptions(SimdPath.Auto, threads, i < plans.Length ? plans[i] : null, ForceThreads: i < plans.Length);
                    long t0 = Stopwatch.GetTimestamp();
                    Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, b, c, [], o);
                    best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            double p = threads == 1 ? peak.OneThread : peak.AllThreads;
            Console.WriteLine($"{s}:\n  " + string.Join("\n  ", plans.Select((g, i) => $"{g,-20} {s.Flops / best[i] / 1e6,5:F0} GFLOP/s ({100 * s.Flops / best[i] / 1e6 / p,3:F0}%)"))
                + $"\n  auto {s.Flops / best[^1] / 1e6,5:F0} GFLOP/s");
        }
        foreach (string t in Gemm.TunedPlans()) Console.WriteLine("  picked " + t);
    }

    // Each lesson shape forced onto 1 thread and onto all, and left to the measured thread rule, interleaved call by call:
    // min and median wall time of each, and the rule's decisions.
    private static void Threads(int reps)
    {
        Console.WriteLine($"load {File.ReadAllText("/proc/loadavg").Trim()}");
        int all = Environment.ProcessorCount;
        foreach (var s in GemmShapes.All.Take(7))
        {
            var (a, b, c) = s.Allocate();
            var options = new[] { new KernelOptions(MaxThreads: 1), new KernelOptions(MaxThreads: all, ForceThreads: true), KernelOptions.Default };
            int n = s.Flops > 1e9 ? reps : reps * 30;
            var times = options.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r < n; r++)
                for (int i = 0; i < options.Length; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, b, c, [], options[i]);
                    times[i].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            string Col(string name, List<double> t)
            {
                t.Sort();
                return $"{name} min {t[0],8:F3} med {t[t.Count / 2],8:F3} ms ({s.Flops / t[t.Count / 2] / 1e6,4:F0} GFLOP/s)";
            }
            Console.WriteLine($"{s,-34} {Col("1t", times[0])}  {Col($"{all}t", times[1])}  {Col("auto", times[2])}");
        }
        foreach (string t in Gemm.ThreadDecisions()) Console.WriteLine("  threads " + t);
        Console.WriteLine($"load {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    // x_valid·w1 (10000×784·784×50) called by the measured rules (at least 640 times, and for twice `seconds` and 1.5 more),
    // while for its first `seconds` the last core is taken by a real-time busy loop (chrt -f 50, pinned with taskset; needs
    // root), as when another tenant of a shared VM has it: the median and worst time of every 64 calls, so the thread count
    // settled while the core was away shows, and whether it comes back. The loop times itself: under SCHED_FIFO on that core,
    // a `timeout` would never get to run.
    private static void CoreAway(double seconds)
    {
        int cores = Environment.ProcessorCount;
        var (x, w, c) = (new Rng(1).Normal(10000, 784).Data, new Rng(2).Normal(784, 50).Data, new float[10000 * 50]);
        var hog = Process.Start(new ProcessStartInfo("chrt", ["-f", "50", "taskset", "-c", (cores - 1).ToString(), "/usr/bin/python3", "-c",
            $"import time\ne = time.time() + {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}\nwhile time.time() < e: pass"]))!;
        Thread.Sleep(100);
        var start = Stopwatch.GetTimestamp();
        var block = new List<double>();
        for (int call = 1; call <= 640 || Stopwatch.GetElapsedTime(start).TotalSeconds < 2 * seconds + 1.5; call++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply(false, false, 10000, 50, 784, x, w, c, []);
            block.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (call % 64 != 0) continue;
            block.Sort();
            Console.WriteLine($"calls {call - 63,4}–{call,4} at {Stopwatch.GetElapsedTime(start).TotalSeconds,5:F2} s{(hog.HasExited ? "" : " (core away)")}: median {block[32],6:F2} ms, max {block[^1],6:F2}, {block.Count(t => t > 1.5 * block[0])} calls over 1.5× the fastest");
            block.Clear();
        }
        hog.WaitForExit();
        foreach (string t in Gemm.ThreadDecisions().Where(d => d.StartsWith("m10000 ", StringComparison.Ordinal))) Console.WriteLine("  " + t);
    }

    // The Vector512 6×4 micro-kernel on xᵀ·dy's operands as the lanes-along-m product reads them (A: 6 of dy's 50 columns,
    // rows 200 bytes apart; B: x's rows read in place, 3136 bytes apart; C: the 800-lane transposed temporary), against
    // packed A and B, in L1 and cycling over 8 row tiles and 12 lane panels (x's 400 KB block in L2), on one thread.
    private static unsafe void TileXtdy()
    {
        var peak = FmaPeak.Measure();
        const int Kc = Gemm.KC, Calls = 4000;
        float* x = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Kc * 800 * sizeof(float), 64);
        float* dy = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Kc * 50 * sizeof(float) + 256, 64);
        float* ak = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Kc * 8 * sizeof(float) * 10, 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(50 * 800 * sizeof(float), 64);
        for (int i = 0; i < Kc * 800; i++) x[i] = (i % 7 - 3) * 0.01f;
        for (int i = 0; i < Kc * 50 + 64; i++) dy[i] = (i % 5 - 2) * 0.01f;
        for (int i = 0; i < Kc * 80; i++) ak[i] = (i % 5 - 2) * 0.01f;
        for (int i = 0; i < 50 * 800; i++) c[i] = 0f;
        var tiles = new (string Name, Action Run)[]
        {
            ("A packed, B packed (ldb 64)", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, ak, 1, 6, x, 64, c, 800, 64, true, null); }),
            ("A dy rows (cs 50), B packed", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, dy, 1, 50, x, 64, c, 800, 64, true, null); }),
            ("A packed, B x rows (ld 784)", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, ak, 1, 6, x, 784, c, 800, 64, true, null); }),
            ("A dy rows, B x rows", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, dy, 1, 50, x, 784, c, 800, 64, true, null); }),
            ("A dy rows cycling 8 tiles, B x rows", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, dy + 6 * (i & 7), 1, 50, x, 784, c + 6 * (i & 7) * 800, 800, 64, true, null); }),
            ("A dy rows cycling, B cycling 12 panels", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, dy + 6 * (i & 7), 1, 50, x + 64 * ((i >> 3) % 12), 784, c + 6 * (i & 7) * 800 + 64 * ((i >> 3) % 12), 800, 64, true, null); }),
            ("A packed cycling, B cycling 12 panels", () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, ak + 6 * Kc * (i & 7), 1, 6, x + 64 * ((i >> 3) % 12), 784, c + 6 * (i & 7) * 800 + 64 * ((i >> 3) % 12), 800, 64, true, null); }),
        };
        Console.WriteLine($"FMA peak on one thread {peak.Vector512OneThread:F0} GFLOP/s (Vector512); load {File.ReadAllText("/proc/loadavg").Trim()}");
        double[] best = BestOfInterleaved([.. tiles.Select(t => t.Run)], rounds: 9);
        for (int t = 0; t < tiles.Length; t++)
        {
            double useful = 2.0 * 6 * 64 * Kc * Calls / best[t] / 1e9;
            Console.WriteLine($"{tiles[t].Name,-40} {useful,6:F0} GFLOP/s = {100 * useful / peak.Vector512OneThread,3:F0} % of peak");
        }
        foreach (float* p in new[] { x, dy, ak, c }) System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
    }

    // The best wall time of each action, run in turn round after round (so a busy spell on the machine slows all of them).
    private static double[] BestOfInterleaved(Action[] runs, int rounds)
    {
        var best = new double[runs.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < rounds; round++)
            for (int t = 0; t < runs.Length; t++)
            {
                long t0 = Stopwatch.GetTimestamp();
                runs[t]();
                best[t] = Math.Min(best[t], Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        return best;
    }

    // The Vector512 micro-kernel alone on x·w1's tiles (n = 50, one 128-deep k block, adding into C), with A, the packed B panel
    // and C the same every call so they stay in L1: what the kernel does when memory keeps up. Useful GFLOP/s count the 50 real
    // columns only, so a tile that pads 50 to 64 lanes shows its waste. The last row finishes C through the parked stack tile, as
    // a fused epilogue's last block does, instead of straight from the registers.
    private static unsafe void TileInL1()
    {
        var peak = FmaPeak.Measure();
        const int Kc = Gemm.KC, Lda = 784, Calls = 4000;
        float* a = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(8 * Lda * sizeof(float), 64);
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Kc * 64 * sizeof(float), 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(8 * 50 * sizeof(float), 64);
        for (int i = 0; i < 8 * Lda; i++) a[i] = (i % 7 - 3) * 0.01f;
        for (int i = 0; i < Kc * 64; i++) b[i] = (i % 64) < 50 ? (i % 5 - 2) * 0.01f : 0f;
        for (int i = 0; i < 8 * 50; i++) c[i] = 0f;
        var tiles = new (string Name, int Rows, Action Run)[]
        {
            ("V512 6×4 (64 lanes)", 6, () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G4, G0, G1>(Kc, a, Lda, 1, b, 64, c, 50, 50, true, null); }),
            ("V512 8×3+pair", 8, () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G8, G3, G2, G1>(Kc, a, Lda, 1, b, 64, c, 50, 50, true, null); }),
            ("V512 6×3+pair", 6, () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G6, G3, G2, G1>(Kc, a, Lda, 1, b, 64, c, 50, 50, true, null); }),
            ("V512 8×3+pair, parked", 8, () => { for (int i = 0; i < Calls; i++) GemmKernel512.Tile<G8, G3, G2, G0>(Kc, a, Lda, 1, b, 64, c, 50, 50, true, null); }),
        };
        Console.WriteLine($"FMA peak on one thread {peak.Vector512OneThread:F0} GFLOP/s (Vector512); load {File.ReadAllText("/proc/loadavg").Trim()}");
        double[] best = BestOfInterleaved([.. tiles.Select(t => t.Run)], rounds: 7);
        for (int t = 0; t < tiles.Length; t++)
        {
            double useful = 2.0 * tiles[t].Rows * 50 * Kc * Calls / best[t] / 1e9;
            Console.WriteLine($"{tiles[t].Name,-20} {useful,6:F0} useful GFLOP/s = {100 * useful / peak.Vector512OneThread,3:F0} % of peak");
        }
        System.Runtime.InteropServices.NativeMemory.AlignedFree(a);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(b);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(c);
    }

    // Read bandwidth from memory: 256 MB summed with Vector512 (or Vector256) loads, by one thread and by all, each thread its
    // own contiguous share, best of 5 — what a product that streams x (157 MB) could read at most.
    private static void StreamBandwidth()
    {
        const int Floats = 64 << 20;
        var data = GC.AllocateUninitializedArray<float>(Floats);
        data.AsSpan().Fill(1f);
        float sink = 0;
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            double best = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int n = Floats / threads, start = t * n;
                    var span = data.AsSpan(start, n);
                    var acc0 = System.Runtime.Intrinsics.Vector512<float>.Zero;
                    var acc1 = acc0; var acc2 = acc0; var acc3 = acc0;
                    ref float first = ref span[0];
                    for (int i = 0; i + 64 <= n; i += 64)
                    {
                        acc0 += System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref first, (nuint)i);
                        acc1 += System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref first, (nuint)i + 16);
                        acc2 += System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref first, (nuint)i + 32);
                        acc3 += System.Runtime.Intrinsics.Vector512.LoadUnsafe(ref first, (nuint)i + 48);
                    }
                    float s = System.Runtime.Intrinsics.Vector512.Sum(acc0 + acc1 + acc2 + acc3);
                    lock (data) sink += s;
                });
                best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            Console.WriteLine($"read bandwidth, {threads} thread(s): {4.0 * Floats / best / 1e9:F1} GB/s (157 MB of x in {157e6 / (4.0 * Floats / best) * 1e3:F1} ms)");
        }
        GC.KeepAlive(sink);
    }

    // With tiered compilation a method runs unoptimized for its first 30 calls and is recompiled in the background once
    // 100 ms pass without new first calls, so timing a few hundred quick calls straight away timed unoptimized code (SGD's
    // step 39 µs against 5–6 µs optimized, the divergence check 17 against 1.1).
    private static void WarmUp(Action a)
    {
        for (int round = 0; round < 2; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 30 && Stopwatch.GetElapsedTime(start).TotalMilliseconds < 300; i++) a();
            Thread.Sleep(150);
        }
    }

    // Best of reps calls, after the warm-up.
    private static double MinMicros(Action a, int reps = 300)
    {
        WarmUp(a);
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            a();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        return best;
    }

    // Row (f)'s epoch, five times, with each epoch's collections by kind and the pause of the last of each kind.
    private static void EpochGc()
    {
        var rng = new Rng(42);
        Tensor x = rng.Normal(50000, 784);
        int[] labels = Enumerable.Range(0, 50000).Select(_ => rng.NextInt(10)).ToArray();
        var data = new Mlp.Data.Dataset(x, labels, "random");
        for (int e = 0; e < 6; e++)
        {
            var model = Mlp.Models.Model.Perceptron(784, [50], 10);
            var sgd = new Mlp.Optim.Sgd(0.1f);
            var start = Mlp.Training.TrainingState.Start(model, sgd, 42);
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            long t0 = Stopwatch.GetTimestamp();
            Mlp.Training.Trainer.Fit(model, sgd, start, data, null, new Mlp.Training.TrainingOptions(1, 64, 42), null, CancellationToken.None);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var eph = GC.GetGCMemoryInfo(GCKind.Ephemeral); var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            Console.WriteLine($"epoch {ms,7:F1} ms, GC pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds,6:F2} ms; gen0 {GC.CollectionCount(0) - g0 - (GC.CollectionCount(1) - g1)}, gen1 {GC.CollectionCount(1) - g1 - (GC.CollectionCount(2) - g2)}, gen2 {GC.CollectionCount(2) - g2}; " +
                $"last ephemeral gen{eph.Generation} {eph.PauseDurations[0].TotalMilliseconds:F2} ms (promoted {eph.PromotedBytes / 1e6:F1} MB, heap {eph.HeapSizeBytes / 1e6:F0} MB), last full {full.PauseDurations[0].TotalMilliseconds:F2} ms (promoted {full.PromotedBytes / 1e6:F1} MB); " +
                $"pool reused {Storage.Reused}, allocated {Storage.Allocated}, retied {Storage.Retied}, idle {Storage.IdleBytes / 1e6:F0} MB");
        }
    }

    // Row (c'), forward + backward with parameter gradients only, part by part (best of 15 calls each, ms).
    private static void C2Parts()
    {
        var rng = new Rng(42);
        Tensor x = rng.Normal(50000, 784), y = Tensor.Create([50000], d => { for (int i = 0; i < d.Length; i++) d[i] = i % 10; });
        Tensor w1 = Init.KaimingNormal(rng, 784, 50, FanMode.FanIn, Gain.Relu), b1 = Tensor.Zeros(50);
        Tensor w2 = Init.KaimingNormal(rng, 50, 1, FanMode.FanIn, Gain.Linear), b2 = Tensor.Zeros(1);
        static double Ms(Action a) => MinMicros(a, reps: 15) / 1000;
        var (l2, _) = Ops.LinearRelu(x, w1, b1);
        var (output, back2) = Mlp.Linear.Forward(l2, w2, b2);
        var (_, backLoss) = Mlp.Mse.Forward(output, y);
        var dOut = backLoss(Tensor.Scalar(1f));
        var g2 = back2(dOut);
        var dl = new float[50000 * 50];
        var dw = new float[784 * 50];
        double[] sums = new double[50];
        for (int r = 0; r < 2; r++)
        {
            Console.WriteLine($"linear-relu forward (x·w1 + b, relu)   {Ms(() => Ops.LinearRelu(x, w1, b1)),8:F2} ms");
            Console.WriteLine($"linear 2 forward (50→1)                {Ms(() => Mlp.Linear.Forward(l2, w2, b2)),8:F2} ms");
            Console.WriteLine($"mse forward + backward                 {Ms(() => Mlp.Mse.Forward(output, y).Backward(Tensor.Scalar(1f))),8:F2} ms");
            Console.WriteLine($"linear 2 backward (dx = dy·w2ᵀ, dw, db){Ms(() => back2(dOut)),8:F2} ms");
            Console.WriteLine($"relu mask + bias sum pass              {Ms(() => ReluKernels.BackwardSumRows(l2.Data, g2.Dx.Data, dl, sums, 50)),8:F2} ms");
            Console.WriteLine($"dw1 = xᵀ·dl                            {Ms(() => Gemm.Multiply(true, false, 784, 50, 50000, x.Data, dl, dw, default)),8:F2} ms");
            Console.WriteLine($"linear-relu backward, params only      {Ms(() => Ops.LinearReluBackward(x, w1, l2, g2.Dx, inputGradient: false)),8:F2} ms");
            foreach (var d in Gemm.ThreadDecisions()) Console.WriteLine("  threads " + d);
        }
        // The whole of (c') call by call, with what each call cost the allocator and the GC: the parts' minima above leave out
        // fresh pages and collections.
        for (int r = 0; r < 12; r++)
        {
            long reused = Storage.Reused, allocated = Storage.Allocated;
            int gcs = GC.CollectionCount(0), full = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            long t0 = Stopwatch.GetTimestamp();
            var (h, _) = Ops.LinearRelu(x, w1, b1);
            var (o, b2Back) = Mlp.Linear.Forward(h, w2, b2);
            var (_, lossBack) = Mlp.Mse.Forward(o, y);
            var g = b2Back(lossBack(Tensor.Scalar(1f)));
            GC.KeepAlive(Ops.LinearReluBackward(x, w1, h, g.Dx, inputGradient: false));
            Console.WriteLine($"c' call {r,2}: {Stopwatch.GetElapsedTime(t0).TotalMilliseconds,6:F2} ms; arrays reused {Storage.Reused - reused}, fresh {Storage.Allocated - allocated}; " +
                $"GCs {GC.CollectionCount(0) - gcs} ({GC.CollectionCount(2) - full} full), pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F2} ms");
        }
    }

    // Best-of-N wall time of each part of a training step: on a shared machine the minimum is the uncontended cost.
    internal static void StepParts()
    {
        var model = Mlp.Models.Model.Perceptron(784, [50], 10);
        var p = model.Init(3);
        var sgd = new Mlp.Optim.Sgd(0.1f);
        var st = sgd.Init(p);
        var rng = new Rng(3);
        var xAll = rng.Normal(50000, 784);
        int[] idx = Enumerable.Range(0, 64).Select(i => rng.NextInt(50000)).ToArray();
        var x = xAll.SelectRows(idx);
        int[] labels = Enumerable.Range(0, 64).Select(i => rng.NextInt(10)).ToArray();
        var w1 = p[0].Value; var b1 = p[1].Value;
        var h = Mlp.Linear.Forward(x, w1, b1).Output;
        var dy = rng.Normal(64, 50);
        var dwBuf = new float[784 * 50];
        Console.WriteLine($"alloc 784×50     {MinMicros(() => GC.AllocateUninitializedArray<float>(784 * 50)),8:F1} µs");
        Console.WriteLine($"gemm xᵀ·dy only  {MinMicros(() => Gemm.Multiply(true, false, 784, 50, 64, x.Data, dy.Data, dwBuf)),8:F1} µs");
        Console.WriteLine($"select rows      {MinMicros(() => xAll.SelectRows(idx)),8:F1} µs");
        Console.WriteLine($"linear1 fwd      {MinMicros(() => Mlp.Linear.Forward(x, w1, b1)),8:F1} µs");
        Console.WriteLine($"dw1 = xᵀ·dy      {MinMicros(() => Ops.MatMul(x, dy, true, false)),8:F1} µs");
        Console.WriteLine($"relu fwd+bwd     {MinMicros(() => Mlp.Relu.Forward(h).Backward(dy)),8:F1} µs");
        var o = model.Predict(p, x);
        Console.WriteLine($"model fwd        {MinMicros(() => model.Predict(p, x)),8:F1} µs");
        Console.WriteLine($"loss fwd+bwd     {MinMicros(() => Mlp.Training.Loss.CrossEntropy.Forward(o, labels).Backward(Tensor.Ones())),8:F1} µs");
        Console.WriteLine($"model fwd+loss+bwd {MinMicros(() => model.Gradient(p, x, labels, Mlp.Training.Loss.CrossEntropy)),6:F1} µs");
        var grads = model.Gradient(p, x, labels, Mlp.Training.Loss.CrossEntropy).Gradients;
        Console.WriteLine($"sgd step         {MinMicros(() => sgd.Step(p, grads, st)),8:F1} µs");
        Console.WriteLine($"whole step       {MinMicros(() => Mlp.Training.Trainer.Step(model, sgd, Mlp.Training.Loss.CrossEntropy, p, st, x, labels)),8:F1} µs");
        // The same step's gradients on a bare tape, linear + relu recorded as two nodes or as the fused one (Tape.LinearRelu).
        var w2 = p[2].Value; var b2 = p[3].Value;
        void TapeStep(bool fused)
        {
            var tape = new Tape();
            Node xn = tape.Constant(x), w1n = tape.Parameter("w1", w1), b1n = tape.Parameter("b1", b1), w2n = tape.Parameter("w2", w2), b2n = tape.Parameter("b2", b2);
            Node hn = fused ? tape.LinearRelu(xn, w1n, b1n) : tape.Relu(tape.Linear(xn, w1n, b1n));
            tape.Backward(tape.CrossEntropy(tape.Linear(hn, w2n, b2n), labels));
        }
        for (int r = 0; r < 2; r++)
        {
            Console.WriteLine($"tape fwd+bwd, linear then relu {MinMicros(() => TapeStep(false)),6:F1} µs");
            Console.WriteLine($"tape fwd+bwd, LinearRelu      {MinMicros(() => TapeStep(true)),6:F1} µs");
        }
        // As Trainer.Fit runs them: each step takes the last one's parameters, and the replaced ones go back to the pool (a
        // loop that dropped them left each step's new 157 KB weight to a collection, and ~10 % of the steps page-faulted a
        // fresh one in: p90 ~120 µs).
        // Three runs of 2000, each followed by the one-thread FMA peak: the step's median against its FLOPs at that peak (the
        // issue's "≤ 1.5× its pure FMA time"), both measured within a second of each other, since other tenants move both.
        const double StepFlops = 2.0 * 64 * 784 * 50 * 2 + 2.0 * 64 * 50 * 10 * 3;   // xb·w1, xbᵀ·dh; h·w2, dh, dw2
        var all = new double[2000];
        var (pi, si) = (p, st);
        for (int run = 0; run < 3; run++)
        {
            int gc0 = GC.CollectionCount(0);
            for (int i = 0; i < all.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var r = Mlp.Training.Trainer.Step(model, sgd, Mlp.Training.Loss.CrossEntropy, pi, si, x, labels);
                all[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (!ReferenceEquals(pi, p))
                    for (int t = 0; t < pi.Count; t++) Storage.Release(pi[t].Value.Data); // never p itself, which the parts above time
                (pi, si) = (r.Parameters, r.State);
            }
            Array.Sort(all);
            double peak = FmaPeak.Measure(3).OneThread, fmaMicros = StepFlops / peak / 1e3;
            Console.WriteLine($"whole step x{all.Length}: min {all[0]:F1} p25 {all[all.Length / 4]:F1} median {all[all.Length / 2]:F1} p90 {all[all.Length * 9 / 10]:F1} max {all[^1]:F1} µs, {GC.CollectionCount(0) - gc0} gen0 GCs; " +
                $"{StepFlops / 1e6:F2} MFLOP at the 1-thread peak ({peak:F0} GFLOP/s) {fmaMicros:F1} µs: median {all[all.Length / 2] / fmaMicros:F2}× that");
        }
    }

    // CPU time per training step of row (f): on a shared machine wall time mostly measures the other tenants.
    private static void QuickStep()
    {
        var s = new TrainingStepBenchmarks();
        s.Setup();
        WarmUp(() => s.Step());
        for (int i = 0; i < 200; i++) s.Step();
        var self = Process.GetCurrentProcess();
        long alloc0 = GC.GetTotalAllocatedBytes(true);
        var gc0 = GC.GetTotalPauseDuration();
        self.Refresh();
        var cpu0 = self.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        const int steps = 782;
        for (int i = 0; i < steps; i++) s.Step();
        double wall = sw.Elapsed.TotalMilliseconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalMilliseconds;
        Console.WriteLine($"training step (batch 64): wall {wall / steps * 1000:F1} µs, cpu {cpu / steps * 1000:F1} µs, " +
            $"alloc {(GC.GetTotalAllocatedBytes(true) - alloc0) / steps / 1024.0:F0} KB, gc {(GC.GetTotalPauseDuration() - gc0).TotalMilliseconds:F1} ms per {steps} steps");
    }
}
