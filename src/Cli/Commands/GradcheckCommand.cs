using Mlp.Lessons;
using System.CommandLine;
using System.Text.Json.Nodes;
using Mlp.Numpy;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary>
/// <c>mlp gradcheck</c>: the lesson's gradients checked against a PyTorch reference file (<c>--reference</c>), or
/// against central finite differences on random data.
/// </summary>
internal static class GradcheckCommand
{
    private const double ReferenceRtol = 1e-4, FiniteDifferenceRtol = 1e-2, Step = 1e-3;
    private const int EntriesPerTensor = 20, MaxDraws = 100;

    private static readonly Option<string?> Reference = Opt.InputFile("--reference", "-r", "a tools/torch_reference.py .npz", ".npz");
    private static readonly Option<double?> Rtol = Opt.Number("--rtol", null,
        $"tolerance on the norm-relative error (default {ReferenceRtol:0e0} with --reference, {FiniteDifferenceRtol:0e0} for finite differences, whose float32 truncation and rounding are larger)",
        null, 0);
    private static readonly Option<int> N = Opt.Int("--n", null, "rows for the finite-difference check", 16, 1, 1 << 20);
    private static readonly Option<int> NIn = Opt.Int("--n-in", null, "input features for the finite-difference check", 10, 1, 1 << 16);
    private static readonly Option<int> NHidden = Opt.Int("--n-hidden", null, "hidden units for the finite-difference check", 8, 1, 1 << 16);
    private static readonly Option<ulong> Seed = Opt.Seed(42, "seed for the random data and the checked entries");
    private static readonly Option<bool> Json = Opt.Json();

    public static Command Create()
    {
        var c = new Command("gradcheck", """
            The lesson's gradients against a PyTorch reference .npz, or finite differences.

            Checks the gradients of the lesson's model
                l1 = x@w1 + b1;  l2 = relu(l1);  out = l2@w2 + b2;  loss = mse(out.squeeze(-1), targ)

            With --reference: reads an .npz written by tools/torch_reference.py (x, targ, w1, b1, w2, b2 and PyTorch's
            float64 out, loss, x_grad, w1_grad, b1_grad, w2_grad, b2_grad), runs Mlp's float32 forward and backward on the
            same inputs and weights, and prints per tensor the max absolute error and the norm-relative error
            ||ours - ref|| / ||ref|| (the absolute ||ours - ref|| where ||ref|| = 0). Also counts relu pre-activations whose
            sign our float32 forward gets differently from exact arithmetic (a non-zero count explains a mismatch as
            rounding at relu's kink).

            Without --reference: draws x (n, n_in), targ (n), Kaiming w1, and non-zero biases from --seed, and compares the
            tape's gradients with central finite differences (step 0.001, up to 20 random entries per tensor, float32
            forward passes, differences in double). A difference across relu's kink measures the jump, not the slope, so
            the data is redrawn (deterministically) until no pre-activation is within a step of 0; after 100 draws the count
            of such entries is reported. This is a coarse check for small sizes: the loss is a float32, so differences carry
            noise of about 6e-8 * loss / 2h, while x's gradient shrinks like 1/n. Use --reference for a precise check.

            Exits 1 if any norm-relative error exceeds the tolerance, 0 if all pass, 2 on a usage or data error.
            """)
        {
            Reference, Rtol, N, NIn, NHidden, Seed, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult p)
    {
        var r = new Report(p.GetValue(Json));
        if (p.GetValue(Reference) is { } path)
        {
            foreach (var o in new Option[] { N, NIn, NHidden, Seed })
                if (p.Given(o)) throw new UsageException($"{o.Name} is for the finite-difference check; a --reference file fixes its own sizes.");
            return AgainstReference(path, p.GetValue(Rtol) ?? ReferenceRtol, r);
        }
        return AgainstFiniteDifferences(p.GetValue(N), p.GetValue(NIn), p.GetValue(NHidden), p.GetValue(Seed), p.GetValue(Rtol) ?? FiniteDifferenceRtol, r);
    }

    private static int AgainstReference(string path, double rtol, Report r)
    {
        var reference = LessonReference.Load(path);
        r.Section("reference", $"Gradients against the PyTorch reference {path}");
        r.Fact("file", path, $"file: {path}");
        r.Fact("n", reference.N, $"n, n_in, n_hidden = {reference.N}, {reference.InFeatures}, {reference.Hidden}");
        r.Fact("n_in", reference.InFeatures, "");
        r.Fact("n_hidden", reference.Hidden, "");
        r.Fact("rtol", rtol, $"tolerance on ||ours - ref|| / ||ref||: {E(rtol)}");

        var tensors = r.Child("tensors");
        r.Note("");
        r.Note($"{"tensor",-8} {"shape",-12} {"max |ours-ref|",-15} {"||ours-ref||/||ref||",-21} check");
        bool pass = true;
        double worst = 0;
        foreach (var e in reference.Compare())
        {
            bool ok = e.Within(rtol);
            pass &= ok;
            worst = double.IsNaN(e.NormRelativeError) ? double.NaN : Math.Max(worst, e.NormRelativeError);
            tensors[e.Name] = new JsonObject
            {
                ["shape"] = ShapeJson(e.Shape), ["max_abs_error"] = Num(e.MaxAbsError),
                ["norm_relative_error"] = Num(e.NormRelativeError), ["pass"] = ok,
            };
            r.Note($"{e.Name,-8} {Shape(e.Shape),-12} {E(e.MaxAbsError),-15} {E(e.NormRelativeError),-21} {(ok ? "ok" : "FAIL")}");
        }
        int kinks = reference.ReluMaskDisagreements();
        r.Note("");
        r.Fact("relu_mask_disagreements", kinks,
            $"relu pre-activations on the other side of 0 than exact arithmetic: {kinks}{(kinks > 0 ? " (each moves the gradients by a whole term: rounding, not a wrong gradient)" : "")}");
        r.Fact("max_norm_relative_error", Num(worst), $"max norm-relative error: {E(worst)}");
        r.Fact("passed", pass, pass ? $"PASS: every norm-relative error <= {E(rtol)}" : $"FAIL: some norm-relative error > {E(rtol)}");
        r.Finish();
        return pass ? 0 : 1;
    }

    private static int AgainstFiniteDifferences(int n, int nIn, int nH, ulong seed, double rtol, Report r)
    {
        // A central difference whose ±h step moves some pre-activation l1 across relu's kink measures the jump, not
        // the derivative. So draws are repeated (deterministically, from the seed) until no |l1| is within reach of
        // a step; for sizes where that is hopeless the draw with the fewest such entries is used, and they are reported.
        Draw? best = null;
        for (int attempt = 0; attempt < MaxDraws && best is not { NearKink: 0 }; attempt++)
        {
            var rng = new Rng(seed).Fork((ulong)attempt);
            Tensor x = rng.Normal(n, nIn), targ = rng.Normal(n);
            Tensor w1 = Init.KaimingNormal(rng, nIn, nH, FanMode.FanIn, Gain.Relu), b1 = rng.Normal(nH) * 0.5f;
            Tensor w2 = Init.LeCunNormal(rng, nH, 1), b2 = rng.Normal(1) * 0.5f;
            var draw = new Draw(x, targ, w1, b1, w2, b2, NearKink(x, w1, b1));
            if (best is null || draw.NearKink < best.NearKink) best = draw;
        }
        var (xs, targs, w1s, b1s, w2s, b2s, nearKink) = best!;
        var results = GradCheck.Check(
            (tape, l) => Lesson.Loss(tape, l[0], l[1], l[2], l[3], l[4], targs),
            [new("x", xs), new("w1", w1s), new("b1", b1s), new("w2", w2s), new("b2", b2s)],
            Step, EntriesPerTensor, seed);

        r.Section("finite_differences", "Gradients against central finite differences");
        r.Fact("n", n, $"n, n_in, n_hidden = {n}, {nIn}, {nH}; seed {seed}");
        r.Fact("n_in", nIn, "");
        r.Fact("n_hidden", nH, "");
        r.Fact("seed", seed, "");
        r.Fact("step", Step, $"central step h = {Step}, up to {EntriesPerTensor} random entries per tensor, float32 forward, differences in double");
        r.Fact("rtol", rtol, $"tolerance on ||g - g_fd|| / max(||g||, ||g_fd||): {E(rtol)}");
        r.Fact("near_kink", nearKink, nearKink == 0
            ? "no pre-activation is within a step of relu's kink"
            : $"{nearKink} pre-activations stay within a step of relu's kink after {MaxDraws} draws: finite differences through them measure the jump, so expect larger errors (try smaller sizes)");
        var tensors = r.Child("tensors");
        r.Note("");
        r.Note($"{"tensor",-6} {"entries",7}  {"max |g-g_fd|",-13} {"max rel",-10} {"norm rel",-10} check");
        bool pass = true;
        foreach (var e in results)
        {
            bool ok = e.NormRelativeError <= rtol;
            pass &= ok;
            tensors[e.Name] = new JsonObject
            {
                ["entries"] = e.EntriesChecked, ["max_abs_error"] = Num(e.MaxAbsError),
                ["max_relative_error"] = Num(e.MaxRelativeError), ["norm_relative_error"] = Num(e.NormRelativeError), ["pass"] = ok,
            };
            r.Note($"{e.Name,-6} {e.EntriesChecked,7}  {E(e.MaxAbsError),-13} {E(e.MaxRelativeError),-10} {E(e.NormRelativeError),-10} {(ok ? "ok" : "FAIL")}");
        }
        r.Note("");
        r.Fact("passed", pass, pass ? $"PASS: every norm-relative error <= {E(rtol)}" : $"FAIL: some norm-relative error > {E(rtol)}");
        r.Finish();
        return pass ? 0 : 1;
    }

    /// <summary>
    /// Pre-activations l1 = x·w1 + b1 that a ±h step in one entry of x, w1 or b1 could move across 0: |l1| below
    /// 2h·max(1, max|x|, max|w1|), which bounds how far one step moves any l1.
    /// </summary>
    private static int NearKink(Tensor x, Tensor w1, Tensor b1)
    {
        Tensor l1 = Linear.Forward(x, w1, b1).Output;
        float reach = (float)(2 * Step * Math.Max(1f, Math.Max(x.Abs().Max().ToScalar(), w1.Abs().Max().ToScalar())));
        return (int)l1.Abs().Lt(reach).Sum().ToScalar();
    }

    private sealed record Draw(Tensor X, Tensor Targ, Tensor W1, Tensor B1, Tensor W2, Tensor B2, int NearKink);

    // JSON has no NaN or infinity: such an error is written as null (and fails the check).
    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
