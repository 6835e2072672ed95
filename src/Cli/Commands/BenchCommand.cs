using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.Cli.Commands;

/// <summary>
/// <c>mlp bench</c>: the lesson's timed workload (issue rows a, b, c, c', f) and the GEMM shapes behind it, with min/median,
/// peak working set, GC pause time and allocated bytes; <c>--lesson</c> adds the weight-gradient speed ladder.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] KnownRows = ["a", "b", "c", "c2", "f", "gemm"];
    private static readonly Option<string[]> RowsOption = RowsList();
    private static readonly Option<int> Repeat = Opt.Int("--repeat", null, "timed runs per row", 7, 1, 1000);
    private static readonly Option<ulong> Seed = Opt.Seed(42, "seed for data and weights");
    private static readonly Option<bool> Lesson = Opt.Flag("--lesson",
        "also the lesson's speed ladder for dw: outer-product sum vs einsum vs matmul (on 1000 rows, because the outer product materializes a rows x 784 x 50 tensor)");
    private static readonly Option<bool> Json = Opt.Json();

    public static Command Create()
    {
        var c = new Command("bench", """
            Time the lesson's workload and GEMM shapes (min/median, peak memory, GC).

            Times the lesson's workload, 784 -> 50 -> 1 on Fashion-MNIST-shaped data (random N(0,1) pixels, so the numbers
            do not depend on a dataset being installed), each row --repeat times after at least four warm-up runs (more,
            up to 60, while the matrix products' first calls still measure their plan and thread count):
              a     forward on x_valid (10000 x 784)
              b     forward on x_train (50000 x 784)
              c     forward + backward with MSE, including the input gradient (as the lesson does)
              c2    forward + backward, parameter gradients only (c')
              f     one training epoch: 784 -> 50 -> 10, cross-entropy, SGD lr 0.1, batch 64, shuffled, 50000 rows
              gemm  the matrix products: x.w1, x^T.dy, dy.w1^T on 50000 rows, and the batch-64 products of (f)
            Each row reports min and median wall time, GFLOP/s where it is one product, the peak working set while it ran,
            GC pause time and bytes allocated per run. First it measures the machine's FMA peak (a register-only loop,
            Vector512 and Vector256, 1 thread and all threads, best of 5) and prints each GEMM as a share of it.
            bench/compare.py runs the same rows in TorchSharp and PyTorch beside these.
            """)
        {
            RowsOption, Repeat, Seed, Lesson, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static Option<string[]> RowsList()
    {
        var o = new Option<string[]>("--rows")
        {
            Description = $"comma-separated rows: {string.Join(",", KnownRows)}",
            HelpName = "LIST",
            Arity = ArgumentArity.OneOrMore,
            DefaultValueFactory = _ => KnownRows,
        };
        o.CustomParser = r =>
        {
            string s = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            string[] rows = s.Split(',', StringSplitOptions.TrimEntries);
            if (rows.FirstOrDefault(x => !KnownRows.Contains(x)) is { } bad)
                r.AddError($"--rows: unknown row '{bad}' in '{s}'. Rows: {string.Join(", ", KnownRows)}.");
            return rows;
        };
        o.CompletionSources.Add(KnownRows);
        return o;
    }

    private const int Train = 50000, Valid = 10000, Features = 784, Hidden = 50, Classes = 10;

    private static int Run(ParseResult p)
    {
        int repeat = p.GetValue(Repeat);
        ulong seed = p.GetValue(Seed);
        string[] rows = p.GetValue(RowsOption)!;
        bool json = p.GetValue(Json);

        var peak = Kernels.FmaPeak.Measure();
        var w = new Workload(seed);
        var results = new List<Measurement>();
        void Add(Measurement m)
        {
            results.Add(m);
            if (!json) Console.WriteLine(m.Line());
        }
        if (!json)
        {
            Console.WriteLine($"mlp bench: {Environment.ProcessorCount} cores, SIMD {SimdName}, {repeat} runs per row");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FMA peak: {peak.OneThread:0} GFLOP/s on 1 thread, {peak.AllThreads:0} on {peak.Threads} (Vector512 {peak.Vector512OneThread:0} / {peak.Vector512AllThreads:0}, Vector256 {peak.Vector256OneThread:0} / {peak.Vector256AllThreads:0})"));
            Console.WriteLine(Measurement.Header);
        }

        foreach (string r in rows)
        {
            switch (r)
            {
                case "a": Add(Measure("a", "forward, x_valid 10000×784", repeat, () => w.Forward(w.XValid))); break;
                case "b": Add(Measure("b", "forward, x_train 50000×784", repeat, () => w.Forward(w.XTrain))); break;
                case "c":
                    Add(Measure("c", "forward + backward incl. input gradient", repeat, w.ForwardBackward,
                        held: 2L * Train * Features * sizeof(float)));
                    break;
                case "c2": Add(Measure("c2", "forward + backward, parameter gradients only", repeat, w.ForwardBackwardParams)); break;
                case "f": Add(Measure("f", "one epoch 784→50→10, CE, SGD 0.1, batch 64", repeat, w.Epoch)); break;
                case "gemm":
                    foreach (var g in w.GemmRows())
                        Add(Measure(g.Key, g.Title, repeat, g.Run, flops: g.Flops) with { Peak = g.OneThread ? peak.OneThread : peak.AllThreads });
                    break;
            }
        }

        var ladder = new List<Measurement>();
        if (p.GetValue(Lesson))
        {
            if (!json) Console.WriteLine("\nThe lesson's speed ladder for dw = Σ_rows outer(x_row, dy_row), 1000 rows (all three give the same dw):");
            foreach (var g in w.Ladder(1000))
            {
                var m = Measure(g.Key, g.Title, repeat, g.Run, flops: g.Flops);
                ladder.Add(m);
                if (!json) Console.WriteLine(m.Line());
            }
        }

        if (json)
        {
            var root = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["simd"] = SimdName,
                ["repeat"] = repeat,
                ["peak_gflops_1t"] = peak.OneThread,
                ["peak_gflops_all"] = peak.AllThreads,
                ["peak_gflops"] = new JsonObject
                {
                    ["vector512_1t"] = peak.Vector512OneThread,
                    ["vector256_1t"] = peak.Vector256OneThread,
                    ["vector512_all"] = peak.Vector512AllThreads,
                    ["vector256_all"] = peak.Vector256AllThreads,
                    ["threads"] = peak.Threads,
                },
                ["gemm_plans"] = new JsonArray(Kernels.Gemm.TunedPlans().Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["gemm_threads"] = new JsonArray(Kernels.Gemm.ThreadDecisions().Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["rows"] = new JsonArray(results.Select(m => (JsonNode)m.Json()).ToArray()),
            };
            if (ladder.Count > 0) root["lesson"] = new JsonArray(ladder.Select(m => (JsonNode)m.Json()).ToArray());
            Console.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static string SimdName =>
        Vector512.IsHardwareAccelerated ? "Vector512 + Vector256" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";

    /// <summary>Four warm-up runs (more while a run's GEMM calls are still measurements, up to 60), then <paramref name="repeat"/>
    /// timed runs with a full collection between them (outside the timing).</summary>
    internal static Measurement Measure(string key, string title, int repeat, Action run, double? flops = null, long? held = null)
    {
        // Warm-up: JIT, page-in, pool buffers, and the GEMM's measured choices (a large product's first calls alternate two
        // orientations, prefetch on and off, one thread and all — on many cores then fewer threads, down a ladder — at least two
        // calls a side each), so the timed runs see the settled choices.
        for (int w = 0; w < 60; w++)
        {
            long measured = Kernels.Gemm.MeasuredCalls;
            run();
            Collect(); // as between timed runs: garbage of back-to-back runs would grow the heap the row's peak is measured from
            if (w >= 3 && Kernels.Gemm.MeasuredCalls == measured) break;
        }
        bool peakReset = ResetPeakWorkingSet();
        var times = new double[repeat];
        TimeSpan gc = TimeSpan.Zero;
        long allocated = 0;
        int collections = 0;
        for (int r = 0; r < repeat; r++)
        {
            TimeSpan gc0 = GC.GetTotalPauseDuration();
            long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
            int count0 = GC.CollectionCount(0);
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            gc += GC.GetTotalPauseDuration() - gc0;
            allocated += GC.GetTotalAllocatedBytes(precise: true) - alloc0;
            collections += GC.CollectionCount(0) - count0;
            Collect();
        }
        using var self = Process.GetCurrentProcess();
        return new Measurement(key, title, times, flops, self.PeakWorkingSet64, peakReset, held, gc.TotalMilliseconds / repeat,
            collections / (double)repeat, allocated / repeat);
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Linux: writing 5 to /proc/self/clear_refs resets the peak resident set size, so each row reports its own peak.</summary>
    private static bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    internal sealed record Measurement(string Key, string Title, double[] Times, double? Flops, long PeakWorkingSet, bool PeakIsPerRow,
        long? HeldBytes, double GcPauseMs, double Collections, long AllocatedBytes)
    {
        /// <summary>The FMA peak this row's GFLOP/s is a share of (the 1-thread or all-thread one), when it is one product.</summary>
        public double? Peak { get; init; }

        public double Min => Times.Min();

        public double Median
        {
            get
            {
                var s = Times.Order().ToArray();
                return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
            }
        }

        public const string Header =
            "row       what                                             min ms   median ms   GFLOP/s (% of FMA peak)   peak WS MB   GC ms/run   alloc MB/run";

        public string Line()
        {
            string gf = Flops is { } f ? (f / Median / 1e6).ToString("0.0", CultureInfo.InvariantCulture)
                + (Peak is { } pk && pk > 0 ? $" ({100 * f / Median / 1e6 / pk:0}%)" : "") : "";
            string ws = (PeakWorkingSet / 1e6).ToString("0", CultureInfo.InvariantCulture)
                + (HeldBytes is { } h ? $" ({PeakWorkingSet / (double)h:0.00}× held)" : "");
            return string.Create(CultureInfo.InvariantCulture,
                $"{Key,-9} {Title,-46} {Min,9:0.00} {Median,11:0.00} {gf,25} {ws,12} {GcPauseMs,11:0.00} {AllocatedBytes / 1e6,14:0.0}");
        }

        public JsonObject Json()
        {
            var o = new JsonObject
            {
                ["key"] = Key,
                ["title"] = Title,
                ["runs_ms"] = new JsonArray(Times.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                ["min_ms"] = Min,
                ["median_ms"] = Median,
                ["peak_working_set_bytes"] = PeakWorkingSet,
                ["peak_working_set_is_per_row"] = PeakIsPerRow,
                ["gc_pause_ms_per_run"] = GcPauseMs,
                ["gen0_collections_per_run"] = Collections,
                ["allocated_bytes_per_run"] = AllocatedBytes,
            };
            if (Flops is { } f)
            {
                o["flops"] = f;
                o["gflops_median"] = f / Median / 1e6;
                o["gflops_best"] = f / Min / 1e6;
                if (Peak is { } pk && pk > 0)
                {
                    o["peak_gflops"] = pk;
                    o["share_of_peak"] = f / Median / 1e6 / pk;
                }
            }
            if (HeldBytes is { } h)
            {
                o["held_bytes"] = h;
                o["peak_over_held"] = PeakWorkingSet / (double)h;
            }
            return o;
        }
    }

    private sealed record Timed(string Key, string Title, Action Run, double Flops, bool OneThread = false);

    /// <summary>The lesson's tensors: data, a 784 → 50 → 1 model for rows a–c', and the pieces of the training epoch.</summary>
    private sealed class Workload
    {
        public readonly Tensor XTrain, XValid, YTrain, W1, B1, W2, B2;
        private readonly int[] labels;
        private readonly ulong seed;

        public Workload(ulong seed)
        {
            this.seed = seed;
            var rng = new Rng(seed);
            XTrain = rng.Normal(Train, Features);
            XValid = rng.Normal(Valid, Features);
            labels = new int[Train];
            for (int i = 0; i < Train; i++) labels[i] = rng.NextInt(Classes);
            YTrain = Tensor.Create([Train], d => { for (int i = 0; i < d.Length; i++) d[i] = labels[i]; });
            W1 = Init.KaimingNormal(rng, Features, Hidden, FanMode.FanIn, Gain.Relu);
            B1 = Tensor.Zeros(Hidden);
            W2 = Init.KaimingNormal(rng, Hidden, 1, FanMode.FanIn, Gain.Linear);
            B2 = Tensor.Zeros(1);
        }

        /// <summary>The lesson's <c>model(xb)</c>: lin → relu → lin, the first two fused (bias and relu in the product's store).</summary>
        public void Forward(Tensor x)
        {
            Tensor l2 = Ops.LinearRelu(x, W1, B1).Output;
            GC.KeepAlive(Linear.Forward(l2, W2, B2).Output);
        }

        /// <summary>The lesson's <c>forward_and_backward(inp, targ)</c>: every gradient, the input's included.</summary>
        /// <remarks>Linear → relu runs as the fused Core ops: relu output = the mask, one pass for mask and bias gradient.</remarks>
        public void ForwardBackward()
        {
            var (l2, _) = Ops.LinearRelu(XTrain, W1, B1);
            var (output, back2) = Linear.Forward(l2, W2, B2);
            var (_, backLoss) = Mse.Forward(output, YTrain);
            var g2 = back2(backLoss(Tensor.Scalar(1f)));
            GC.KeepAlive(Ops.LinearReluBackward(XTrain, W1, l2, g2.Dx, inputGradient: true));
        }

        /// <summary>As <see cref="ForwardBackward"/>, but layer 1 returns only dw and db: the input gradient is never used in training.</summary>
        public void ForwardBackwardParams()
        {
            var (l2, _) = Ops.LinearRelu(XTrain, W1, B1);
            var (output, back2) = Linear.Forward(l2, W2, B2);
            var (_, backLoss) = Mse.Forward(output, YTrain);
            var g2 = back2(backLoss(Tensor.Scalar(1f)));
            GC.KeepAlive(Ops.LinearReluBackward(XTrain, W1, l2, g2.Dx, inputGradient: false));
        }

        /// <summary>One epoch with the real training loop: 784 → 50 → 10, cross-entropy, SGD lr 0.1, batch 64, shuffled.</summary>
        public void Epoch()
        {
            var model = Model.Perceptron(Features, [Hidden], Classes);
            var sgd = new Sgd(0.1f);
            var start = TrainingState.Start(model, sgd, seed);
            var result = Trainer.Fit(model, sgd, start, new Dataset(XTrain, labels, "bench: random Fashion-MNIST-shaped rows"), null,
                new TrainingOptions(1, 64, seed), null, CancellationToken.None);
            GC.KeepAlive(result);
        }

        public IEnumerable<Timed> GemmRows()
        {
            Tensor dy = new Rng(seed + 1).Normal(Train, Hidden);
            Tensor xb = XTrain.Rows(0, 64), dyb = dy.Rows(0, 64);
            double big = 2.0 * Train * Features * Hidden, small = 2.0 * 64 * Features * Hidden;
            var c = new float[Train * Hidden];
            var oneThread = new Kernels.KernelOptions(MaxThreads: 1);
            yield return new("gemm", "GEMM x·w1 (50000×784)·(784×50)", () => GC.KeepAlive(Ops.MatMul(XTrain, W1)), big);
            yield return new("gemm_1t", "GEMM x·w1, 1 thread", () =>
                Kernels.Gemm.Multiply(false, false, Train, Hidden, Features, XTrain.Data, W1.Data, c, default, oneThread), big, OneThread: true);
            yield return new("gemm_xtdy", "GEMM xᵀ·dy (784×50000)·(50000×50)", () => GC.KeepAlive(Ops.MatMul(XTrain, dy, true, false)), big);
            yield return new("gemm_dywt", "GEMM dy·w1ᵀ (50000×50)·(50×784)", () => GC.KeepAlive(Ops.MatMul(dy, W1, false, true)), big);
            yield return new("gemm_b64", "GEMM batch x·w1 (64×784)·(784×50)", () => GC.KeepAlive(Ops.MatMul(xb, W1)), small);
            yield return new("gemm_b64_xtdy", "GEMM batch xᵀ·dy (784×64)·(64×50)", () => GC.KeepAlive(Ops.MatMul(xb, dyb, true, false)), small);
        }

        public IEnumerable<Timed> Ladder(int rows)
        {
            Tensor x = XTrain.Rows(0, rows), dy = new Rng(seed + 2).Normal(rows, Hidden);
            double flops = 2.0 * rows * Features * Hidden;
            yield return new("outer", "(x[:,:,None] * dy[:,None,:]).sum(0)", () => GC.KeepAlive(Ops.OuterProductSum(x, dy)), flops);
            yield return new("einsum", "einsum('bi,bj->ij', x, dy)", () => GC.KeepAlive(Ops.Einsum("bi,bj->ij", x, dy)), flops);
            yield return new("matmul", "x.t() @ dy", () => GC.KeepAlive(Ops.MatMul(x, dy, true, false)), flops);
        }
    }
}
