using Mlp.Lessons;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Mlp.Data;
using Mlp.Numpy;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary>What <c>mlp walkthrough</c> runs; the parser only fills this in.</summary>
/// <param name="Data">--data: an IDX directory or mnist.pkl.gz; null for the default.</param>
/// <param name="Seed">--seed: weights and the gradient-check sample.</param>
/// <param name="Plot">--plot: the activation histograms' PNG, or null.</param>
/// <param name="Json">--json: one JSON object instead of text.</param>
/// <param name="Relu">--relu: the lesson's relu for the model and gradient sections (shifted, as the lesson from its init section on).</param>
/// <param name="Python">--python: the interpreter with torch for the float64 reference ("none" skips it).</param>
internal sealed record WalkthroughOptions(string? Data, ulong Seed, string? Plot, bool Json, LessonRelu Relu, string Python);

/// <summary><c>mlp</c> / <c>mlp walkthrough</c>: the 02_fully_connected lesson end to end, each step named as in the notebook.</summary>
internal static class WalkthroughCommand
{
    private static readonly Option<string?> Data = Opt.Data();
    private static readonly Option<ulong> Seed = Opt.Seed(42, "seed for the weights and the gradient-check sample");
    private static readonly Option<string?> Plot = Opt.OutputFile("--plot", "-p", "histograms of the activations after lin, relu and relu - 0.5 at Kaiming init", ".png");
    private static readonly Option<bool> Json = Opt.Json();
    private static readonly Option<string> ReluOpt = Opt.Choice("--relu", null,
        "the relu of the model and gradient sections: plain is clamp_min(0.), shifted is clamp_min(0.) - 0.5, which the lesson " +
        "defines in its init section and uses from there on", "shifted", "plain", "shifted");
    private static readonly Option<string> PythonOpt = new("--python")
    {
        Description = "python with torch for the float64 reference check (none: skip it)", HelpName = "PATH",
        DefaultValueFactory = _ => "/usr/bin/python3",
    };

    /// <summary>The walkthrough's options; <c>mlp</c> without a command takes them too.</summary>
    internal static readonly Option[] Options = [Data, Seed, ReluOpt, PythonOpt, Plot, Json];

    public static Command Create()
    {
        var c = new Command("walkthrough",
            "The lesson end to end: data, init, forward, loss, gradients, timing (the default command).\n\n" +
            "Loads the data, normalizes it with the training statistics, compares init schemes (mean/std after lin, relu and " +
            "shifted relu), builds lin -> relu -> lin with MSE, checks every gradient against PyTorch float64 autograd (when " +
            "python3 with torch is installed) and against finite differences in double, compares the three ways the lesson " +
            "writes the weight gradient, and times forward and forward+backward on the training set.");
        foreach (var o in Options) c.Options.Add(o);
        c.SetAction(Run);
        return c;
    }

    /// <summary>Runs the walkthrough with the options in <paramref name="p"/> (from <c>mlp walkthrough</c> or plain <c>mlp</c>).</summary>
    public static int Run(ParseResult p) =>
        Run(new WalkthroughOptions(p.GetValue(Data), p.GetValue(Seed), p.GetValue(Plot), p.GetValue(Json),
            p.GetValue(ReluOpt) == "plain" ? LessonRelu.Plain : LessonRelu.Shifted, p.GetValue(PythonOpt) ?? "/usr/bin/python3"));

    /// <summary>The walkthrough itself, from parsed options.</summary>
    internal static int Run(WalkthroughOptions o)
    {
        ulong seed = o.Seed;
        var r = new Report(o.Json);
        string reluText = o.Relu == LessonRelu.Shifted ? "relu(x) = x.clamp_min(0.) - 0.5" : "relu(x) = x.clamp_min(0.)";

        // ---- data
        var total = Stopwatch.StartNew();
        DatasetSplits raw = DataSource.Load(o.Data);
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
        raw = null!; // the unnormalized pixels are not needed again: let them go before the big tensors below
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
            var vo = r.Child(v.Key);
            vo["title"] = v.Title;
            vo["weight_mean"] = w.Mean().ToScalar();
            vo["weight_std"] = w.Std().ToScalar();
            vo["expected_std"] = v.Expected;
            vo["lin_mean"] = lin.Mean().ToScalar(); vo["lin_std"] = lin.Std().ToScalar();
            vo["relu_mean"] = relu.Mean().ToScalar(); vo["relu_std"] = relu.Std().ToScalar();
            vo["shifted_relu_mean"] = shifted.Mean().ToScalar(); vo["shifted_relu_std"] = shifted.Std().ToScalar();
            r.Note($"{v.Title}");
            r.Note($"    w mean {E(w.Mean().ToScalar())}, std {F(w.Std().ToScalar())} (expected {F(v.Expected)})");
            r.Note($"    after lin           mean {F(lin.Mean().ToScalar()),8}, std {F(lin.Std().ToScalar())}");
            r.Note($"    after relu          mean {F(relu.Mean().ToScalar()),8}, std {F(relu.Std().ToScalar())}");
            r.Note($"    after relu - 0.5    mean {F(shifted.Mean().ToScalar()),8}, std {F(shifted.Std().ToScalar())}");
            if (v.Key == "kaiming_normal_fan_in" && o.Plot is { } plot)
                r.Fact("plot", Charts.InitHistograms(plot, lin, relu, shifted), $"activation histograms written to {plot}");
        }

        double stdIn = Init.KaimingStd(m, Gain.Relu), stdOut = Init.KaimingStd(Lesson.Hidden, Gain.Relu);
        r.Fact("fan_out_explanation",
            $"torch.nn.init.kaiming_normal_(w1, mode='fan_out') on the lesson's ({m}, {Lesson.Hidden}) weight takes fan_out = w1.size(0) = {m}, " +
            $"because nn.Linear stores its weight as (out, in): on that layout size(0) is the output. The lesson's w1 is (in, out), " +
            $"so 'fan_out' there is really the fan-in, {m}: std sqrt(2/{m}) = {F(stdIn)}. The true fan-out of an (in, out) weight, {Lesson.Hidden}, " +
            $"would give sqrt(2/{Lesson.Hidden}) = {F(stdOut)}, {F(stdOut / stdIn, "0.0")}× too wide for the forward pass.",
            "");
        r.Note("");
        r.Note($"Why the lesson writes mode='fan_out': kaiming_normal_ on an ({m}, {Lesson.Hidden}) weight takes fan_out = size(0) = {m},");
        r.Note($"  because nn.Linear stores (out, in). The lesson's w1 is (in, out), so that 'fan_out' is the fan-in {m}:");
        r.Note($"    std sqrt(2/{m})  = {F(stdIn)}   (Init.KaimingNormal(FanIn) above; the lesson prints w1.std() = 0.0508)");
        r.Note($"    std sqrt(2/{Lesson.Hidden})   = {F(stdOut)}   (the true fan-out of (in, out), FanOut above: {F(stdOut / stdIn, "0.0")}× too wide)");
        r.Note($"From here on the lesson redefines {"relu(x) = x.clamp_min(0.) - 0.5"}; this run uses {reluText} (--relu).");

        // ---- model and loss
        r.Section("model", $"Model: lin(m, nh) -> relu -> lin(nh, 1), MSE on out.squeeze(-1), with {reluText}");
        r.Fact("relu", o.Relu == LessonRelu.Shifted ? "shifted" : "plain", $"relu: {reluText}");
        Tensor w2 = Init.LeCunNormal(rng, Lesson.Hidden, 1), b2 = Tensor.Zeros(1);
        Tensor yTrain = norm.Train.LabelsAsFloat();
        Tensor validOut = Lesson.Forward(xValid, w1, b1, w2, b2, o.Relu);
        r.Fact("valid_output_shape", ShapeJson(validOut.Shape), $"model(x_valid).shape = {Shape(validOut.Shape)}");
        var hand = Lesson.HandChained(xTrain, w1, b1, w2, b2, yTrain, o.Relu);
        r.Fact("initial_mse", hand.Loss.ToScalar(), $"mse(model(x_train), y_train) = {F(hand.Loss.ToScalar())}");

        // ---- gradients: tape vs hand-chained closures on the whole training set
        r.Section("gradients", "Gradients");
        var tape = Lesson.WithTape(xTrain, w1, b1, w2, b2, yTrain, o.Relu);
        var tapeVsHand = r.Child("tape_vs_hand_chained");
        r.Note("tape vs hand-chained closures (whole training set), ‖tape − hand‖ / ‖hand‖:");
        foreach (var (name, tg, hg) in new[] { ("x", tape.Dx, hand.Dx), ("w1", tape.Dw1, hand.Dw1), ("b1", tape.Db1, hand.Db1), ("w2", tape.Dw2, hand.Dw2), ("b2", tape.Db2, hand.Db2) })
        {
            double rel = ErrorNorm.Of(tg, hg).NormRelativeError;
            tapeVsHand[name] = rel;
            r.Note($"    {name,-3} {Shape(hg.Shape),-12} {E(rel)}");
        }

        hand = null!; tape = null!; // (n, m) input gradients: let them go before the checks and timings

        // ---- gradients on a sample of real rows: PyTorch float64 autograd, and finite differences in double
        const int sampleRows = 64, entries = 40;
        var sampleIdx = new Rng(seed ^ 0x5eed).Permutation(n)[..Math.Min(sampleRows, n)];
        Tensor xs = xTrain.SelectRows(sampleIdx), ys = yTrain.SelectRows(sampleIdx);
        var ours = Lesson.WithTape(xs, w1, b1, w2, b2, ys, o.Relu);
        WalkthroughChecks.Torch(r, o, xs, ys, w1, b1, w2, b2);
        WalkthroughChecks.FiniteDifferences(r, xs, ys, w1, b1, w2, b2, ours, o.Relu, entries, new Rng(seed ^ 0xfd));

        // ---- the lesson's three ways to write the weight gradient
        r.Section("weight_gradient", "Weight gradient three ways, as the lesson times them (min and median of 5 runs)");
        {
            int rows = Math.Min(250, n);
            Tensor x = xTrain.Rows(0, rows), dy = new Rng(seed + 2).Normal(rows, Lesson.Hidden);
            Tensor reference = Ops.MatMul(x, dy, true, false);
            var ways = new (string Key, string Title, Func<Tensor> Run)[]
            {
                ("outer", "(inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)", () => Ops.OuterProductSum(x, dy)),
                ("einsum", "torch.einsum('bi,bj->ij', inp, out.g)", () => Ops.Einsum("bi,bj->ij", x, dy)),
                ("matmul", "inp.t() @ out.g", () => Ops.MatMul(x, dy, true, false)),
            };
            r.Fact("rows", rows, $"dw = Σ_rows outer(x_row, dy_row) on {rows} rows of x_train (the outer product materializes {rows}×{m}×{Lesson.Hidden} floats):");
            r.Note($"    {"way",-7} {"lesson",-50} {"min ms",9} {"median ms",10}  ‖dw − matmul‖/‖matmul‖");
            foreach (var way in ways)
            {
                double rel = ErrorNorm.Of(way.Run(), reference).NormRelativeError;
                var tm = BenchCommand.Measure(way.Key, way.Title, 5, () => GC.KeepAlive(way.Run()));
                var j2 = r.Child(way.Key);
                j2["title"] = way.Title; j2["min_ms"] = tm.Min; j2["median_ms"] = tm.Median; j2["norm_relative_to_matmul"] = rel;
                r.Note($"    {way.Key,-7} {way.Title,-50} {F(tm.Min, "0.00"),9} {F(tm.Median, "0.00"),10}  {E(rel)}");
            }
        }

        // ---- timing
        r.Section("timing", "Timing as `mlp bench` does: a warm-up, then 5 runs with a full collection between them (min, median)");
        var fwdValid = BenchCommand.Measure("forward_valid", "forward, x_valid", 5, () => GC.KeepAlive(Lesson.Forward(xValid, w1, b1, w2, b2, o.Relu)));
        var fwdTrain = BenchCommand.Measure("forward_train", "forward, x_train", 5, () => GC.KeepAlive(Lesson.Forward(xTrain, w1, b1, w2, b2, o.Relu)));
        var fwdBwd = BenchCommand.Measure("forward_backward_train", "forward + backward, x_train", 5,
            () => GC.KeepAlive(Lesson.HandChained(xTrain, w1, b1, w2, b2, yTrain, o.Relu)));
        r.Fact("forward_valid_ms", fwdValid.Min, $"forward, x_valid {Shape(xValid.Shape)}: min {F(fwdValid.Min, "0.0")} ms, median {F(fwdValid.Median, "0.0")} ms");
        r.Fact("forward_valid_median_ms", fwdValid.Median, "");
        r.Fact("forward_train_ms", fwdTrain.Min, $"forward, x_train {Shape(xTrain.Shape)}: min {F(fwdTrain.Min, "0.0")} ms, median {F(fwdTrain.Median, "0.0")} ms");
        r.Fact("forward_train_median_ms", fwdTrain.Median, "");
        r.Fact("forward_backward_train_ms", fwdBwd.Min,
            $"forward + backward (with the input gradient), x_train: min {F(fwdBwd.Min, "0.0")} ms, median {F(fwdBwd.Median, "0.0")} ms");
        r.Fact("forward_backward_train_median_ms", fwdBwd.Median, "");
        using (var self = Process.GetCurrentProcess())
            r.Fact("peak_working_set_mb", self.PeakWorkingSet64 / 1e6, $"peak working set of this process: {F(self.PeakWorkingSet64 / 1e6, "0")} MB");
        r.Fact("total_s", total.Elapsed.TotalSeconds, $"walkthrough total: {F(total.Elapsed.TotalSeconds, "0.0")} s");
        r.Finish();
        return 0;
    }
}
