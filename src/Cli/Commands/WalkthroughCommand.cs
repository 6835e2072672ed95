using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Mlp.Data;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary><c>mlp</c> / <c>mlp walkthrough</c>: the 02_fully_connected lesson end to end, each step named as in the notebook.</summary>
internal static class WalkthroughCommand
{
    private static readonly Option<string?> Data = Opt.Data();
    private static readonly Option<ulong> Seed = Opt.Seed(42, "seed for the weights and the gradient-check sample");
    private static readonly Option<string?> Plot = Opt.OutputFile("--plot", "-p", "histograms of the activations after lin, relu and relu - 0.5 at Kaiming init", ".png");
    private static readonly Option<bool> Json = Opt.Json();

    /// <summary>The walkthrough's options; <c>mlp</c> without a command takes them too.</summary>
    internal static readonly Option[] Options = [Data, Seed, Plot, Json];

    public static Command Create()
    {
        var c = new Command("walkthrough",
            "The lesson end to end: data, init, forward, loss, gradients, timing (the default command).\n\n" +
            "Loads the data, normalizes it with the training statistics, " +
            "compares init schemes (mean/std after lin, relu and shifted relu), builds lin -> relu -> lin with MSE, checks " +
            "every gradient against finite differences and against the tape, and times forward and forward+backward on the training set.");
        foreach (var o in Options) c.Options.Add(o);
        c.SetAction(Run);
        return c;
    }

    /// <summary>Runs the walkthrough with the options in <paramref name="p"/> (from <c>mlp walkthrough</c> or plain <c>mlp</c>).</summary>
    public static int Run(ParseResult p)
    {
        ulong seed = p.GetValue(Seed);
        string? plot = p.GetValue(Plot);
        var r = new Report(p.GetValue(Json));

        // ---- data
        var total = Stopwatch.StartNew();
        DatasetSplits raw = DataSource.Load(p.GetValue(Data));
        r.Section("data", "Data");
        r.Fact("source", raw.Train.Source, $"source: {raw.Train.Source}");
        r.Fact("split", raw.Description, $"split: {raw.Description}");
        int n = raw.Train.Count, m = raw.Train.Features, c = raw.Train.Classes;
        r.Fact("n", n, $"x_train {Shape(raw.Train.X.Shape)}, x_valid {Shape(raw.Valid.X.Shape)}{(raw.Test is { } t ? $", x_test {Shape(t.X.Shape)}" : "")}");
        r.Fact("m", m, $"n, m, c = {n}, {m}, {c}");
        r.Fact("c", c, $"classes: {string.Join(" ", raw.Train.Labels.Distinct().Order())}");
        r.Fact("valid_n", raw.Valid.Count, $"valid rows: {raw.Valid.Count}");

        // ---- normalization with training statistics
        r.Section("normalization", "Normalize with the training mean and std (not the validation ones)");
        var (norm, trainMean, trainStd) = Normalization.ByTrainStatistics(raw);
        Tensor xTrain = norm.Train.X, xValid = norm.Valid.X;
        r.Fact("train_mean_before", trainMean, $"train mean, std before: {F(trainMean)}, {F(trainStd)}");
        r.Fact("train_std_before", trainStd, "");
        float ntm = xTrain.Mean().ToScalar(), nts = xTrain.Std().ToScalar();
        r.Fact("train_mean_after", ntm, $"train mean, std after:  {E(ntm)}, {F(nts)}   (want ~0 and ~1)");
        r.Fact("train_std_after", nts, "");
        float vm = xValid.Mean().ToScalar(), vs = xValid.Std().ToScalar();
        r.Fact("valid_mean", vm, $"valid mean, std (train stats): {F(vm)}, {F(vs)}");
        r.Fact("valid_std", vs, "");

        // ---- init variants
        r.Section("init", $"Init: weight statistics and activations on x_valid (nh = {Lesson.Hidden})");
        var rng = new Rng(seed);
        Tensor b1 = Tensor.Zeros(Lesson.Hidden);
        var variants = new (string Key, string Title, Func<Tensor> Make, double Expected)[]
        {
            ("randn_sqrt_m", "randn(m, nh) / sqrt(m)", () => Init.LeCunNormal(rng, m, Lesson.Hidden), 1 / Math.Sqrt(m)),
            ("kaiming_sqrt_2_m", "randn(m, nh) * sqrt(2/m)", () => rng.Normal(m, Lesson.Hidden) * (float)Math.Sqrt(2.0 / m), Math.Sqrt(2.0 / m)),
            ("kaiming_normal_fan_in", "Init.KaimingNormal(FanIn, relu) = torch kaiming_normal_(w, mode='fan_out') on (m, nh)",
                () => Init.KaimingNormal(rng, m, Lesson.Hidden, FanMode.FanIn, Gain.Relu), Init.KaimingStd(m, Gain.Relu)),
            ("kaiming_normal_fan_out", "Init.KaimingNormal(FanOut, relu): fan = nh, the wrong fan for the forward pass",
                () => Init.KaimingNormal(rng, m, Lesson.Hidden, FanMode.FanOut, Gain.Relu), Init.KaimingStd(Lesson.Hidden, Gain.Relu)),
        };
        Tensor w1 = null!;
        foreach (var v in variants)
        {
            Tensor w = v.Make();
            if (v.Key == "kaiming_normal_fan_in") w1 = w;
            Tensor lin = Linear.Forward(xValid, w, b1).Output;
            Tensor relu = Relu.Forward(lin).Output;
            Tensor shifted = ShiftedRelu.Forward(lin, ShiftedRelu.LessonShift).Output;
            var o = r.Child(v.Key);
            o["title"] = v.Title;
            o["weight_mean"] = w.Mean().ToScalar();
            o["weight_std"] = w.Std().ToScalar();
            o["expected_std"] = v.Expected;
            o["lin_mean"] = lin.Mean().ToScalar(); o["lin_std"] = lin.Std().ToScalar();
            o["relu_mean"] = relu.Mean().ToScalar(); o["relu_std"] = relu.Std().ToScalar();
            o["shifted_relu_mean"] = shifted.Mean().ToScalar(); o["shifted_relu_std"] = shifted.Std().ToScalar();
            r.Note($"{v.Title}");
            r.Note($"    w mean {E(w.Mean().ToScalar())}, std {F(w.Std().ToScalar())} (expected {F(v.Expected)})");
            r.Note($"    after lin           mean {F(lin.Mean().ToScalar()),8}, std {F(lin.Std().ToScalar())}");
            r.Note($"    after relu          mean {F(relu.Mean().ToScalar()),8}, std {F(relu.Std().ToScalar())}");
            r.Note($"    after relu - 0.5    mean {F(shifted.Mean().ToScalar()),8}, std {F(shifted.Std().ToScalar())}");
            if (v.Key == "kaiming_normal_fan_in" && plot != null)
                r.Fact("plot", Charts.InitHistograms(plot, lin, relu, shifted), $"activation histograms written to {plot}");
        }

        // ---- model and loss
        r.Section("model", "Model: lin(m, nh) -> relu -> lin(nh, 1), MSE on out.squeeze(-1)");
        Tensor w2 = Init.LeCunNormal(rng, Lesson.Hidden, 1), b2 = Tensor.Zeros(1);
        Tensor yTrain = norm.Train.LabelsAsFloat();
        Tensor validOut = Lesson.Forward(xValid, w1, b1, w2, b2);
        r.Fact("valid_output_shape", ShapeJson(validOut.Shape), $"model(x_valid).shape = {Shape(validOut.Shape)}");
        var hand = Lesson.HandChained(xTrain, w1, b1, w2, b2, yTrain);
        r.Fact("initial_mse", hand.Loss.ToScalar(), $"mse(model(x_train), y_train) = {F(hand.Loss.ToScalar())}");

        // ---- gradients: tape vs hand-chained closures on the whole training set
        r.Section("gradients", "Gradients");
        var tape = Lesson.WithTape(xTrain, w1, b1, w2, b2, yTrain);
        var tapeVsHand = r.Child("tape_vs_hand_chained");
        r.Note("tape vs hand-chained closures (whole training set), ‖tape − hand‖ / ‖hand‖:");
        foreach (var (name, tg, hg) in new[] { ("x", tape.Dx, hand.Dx), ("w1", tape.Dw1, hand.Dw1), ("b1", tape.Db1, hand.Db1), ("w2", tape.Dw2, hand.Dw2), ("b2", tape.Db2, hand.Db2) })
        {
            double rel = NormRelative(tg, hg);
            tapeVsHand[name] = rel;
            r.Note($"    {name,-3} {Shape(hg.Shape),-12} {E(rel)}");
        }

        // ---- gradients: finite differences on a sample of rows
        // A central difference is meaningless where x ± h moves some relu input across 0, so only entries whose
        // perturbation keeps every relu input of the sample on its side of the kink (with a 2× margin) are checked.
        const int sampleRows = 64, entries = 40;
        const double step = 2e-2;
        var sampleIdx = new Rng(seed ^ 0x5eed).Permutation(n)[..Math.Min(sampleRows, n)];
        Tensor xs = xTrain.SelectRows(sampleIdx), ys = yTrain.SelectRows(sampleIdx);
        int[][] chosen = KinkFreeEntries(xs, w1, b1, w2, step, entries, new Rng(seed ^ 0xfd), out int[] skipped);
        var fd = GradCheck.CheckEntries(
            (tp, leaves) => Lesson.Loss(tp, leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], ys),
            [new("x", xs), new("w1", w1), new("b1", b1), new("w2", w2), new("b2", b2)],
            step, chosen);
        var fdJson = r.Child("finite_differences");
        fdJson["rows"] = sampleIdx.Length;
        fdJson["entries_per_tensor"] = entries;
        fdJson["step"] = step;
        fdJson["precision"] = "float32 forward, differences accumulated in double";
        fdJson["entry_rule"] = "random entries whose ±2h perturbation crosses no relu kink in the sample";
        r.Note($"finite differences: {sampleIdx.Length} random training rows, up to {entries} random entries per tensor, central step h = {step}, float32 forward;");
        r.Note("  entries whose ±2h perturbation would move a relu input of the sample across 0 are skipped (no derivative there):");
        r.Note("    tensor  checked  skipped  max |g-ĝ|    max rel     ‖g-ĝ‖/max(‖g‖,‖ĝ‖)");
        for (int i = 0; i < fd.Count; i++)
        {
            var res = fd[i];
            fdJson[res.Name] = new JsonObject
            {
                ["entries"] = res.EntriesChecked, ["skipped_at_kink"] = skipped[i], ["max_abs_error"] = res.MaxAbsError,
                ["max_relative_error"] = res.MaxRelativeError, ["norm_relative_error"] = res.NormRelativeError,
            };
            r.Note($"    {res.Name,-6}  {res.EntriesChecked,7}  {skipped[i],7}  {E(res.MaxAbsError),-11}  {E(res.MaxRelativeError),-10}  {E(res.NormRelativeError)}");
        }
        double worstFd = fd.Max(x => x.NormRelativeError);
        r.Fact("finite_difference_worst_norm_relative", worstFd, $"worst norm-relative error: {E(worstFd)} (want < 1e-2)");

        // ---- timing
        r.Section("timing", "Timing (min of 5 runs after a warm-up)");
        double fwdValid = MinMs(() => Lesson.Forward(xValid, w1, b1, w2, b2));
        double fwdTrain = MinMs(() => Lesson.Forward(xTrain, w1, b1, w2, b2));
        double fwdBwd = MinMs(() => Lesson.HandChained(xTrain, w1, b1, w2, b2, yTrain));
        r.Fact("forward_valid_ms", fwdValid, $"forward, x_valid {Shape(xValid.Shape)}: {F(fwdValid, "0.0")} ms");
        r.Fact("forward_train_ms", fwdTrain, $"forward, x_train {Shape(xTrain.Shape)}: {F(fwdTrain, "0.0")} ms");
        r.Fact("forward_backward_train_ms", fwdBwd, $"forward + backward (with the input gradient), x_train: {F(fwdBwd, "0.0")} ms");
        r.Fact("total_s", total.Elapsed.TotalSeconds, $"walkthrough total: {F(total.Elapsed.TotalSeconds, "0.0")} s");
        r.Finish();
        return 0;
    }

    /// <summary>
    /// Picks up to <paramref name="count"/> random entries per input (x, w1, b1, w2, b2) of the lesson model whose
    /// ±2h perturbation keeps every first-layer relu input of the sample on the same side of 0.
    /// </summary>
    private static int[][] KinkFreeEntries(Tensor xs, Tensor w1, Tensor b1, Tensor w2, double h, int count, Rng rng, out int[] skipped)
    {
        Tensor l1 = Linear.Forward(xs, w1, b1).Output;
        int rows = xs.Shape[0], m = xs.Shape[1], nh = w1.Shape[1];
        double margin = 2 * h;
        bool XOk(int e) { int r = e / m, i = e % m; for (int j = 0; j < nh; j++) if (Math.Abs(l1[r, j]) <= margin * Math.Abs(w1[i, j])) return false; return true; }
        bool W1Ok(int e) { int i = e / nh, j = e % nh; for (int r = 0; r < rows; r++) if (Math.Abs(l1[r, j]) <= margin * Math.Abs(xs[r, i])) return false; return true; }
        bool B1Ok(int j) { for (int r = 0; r < rows; r++) if (Math.Abs(l1[r, j]) <= margin) return false; return true; }
        Func<int, bool>[] ok = [XOk, W1Ok, B1Ok, _ => true, _ => true];
        int[] lengths = [xs.Length, w1.Length, b1.Length, w2.Length, 1];
        var result = new int[5][];
        skipped = new int[5];
        for (int t = 0; t < 5; t++)
        {
            var picked = new List<int>();
            foreach (int e in rng.Permutation(lengths[t]))
            {
                if (picked.Count == count) break;
                if (ok[t](e)) picked.Add(e); else skipped[t]++;
            }
            result[t] = [.. picked];
        }
        return result;
    }

    private static double NormRelative(Tensor a, Tensor b)
    {
        double d = 0, nb = 0;
        var sa = a.AsSpan(); var sb = b.AsSpan();
        for (int i = 0; i < sa.Length; i++) { double e = sa[i] - (double)sb[i]; d += e * e; nb += (double)sb[i] * sb[i]; }
        return nb == 0 ? Math.Sqrt(d) : Math.Sqrt(d / nb);
    }

    private static double MinMs(Func<object> work)
    {
        work();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(work());
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
