using System.Diagnostics;
using System.Text.Json.Nodes;
using Mlp.Lessons;
using Mlp.Numpy;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary>
/// The walkthrough's gradient checks on real rows: PyTorch float64 autograd on the same rows and weights, and central
/// finite differences of the loss evaluated in double, each with its tolerance stated and reported per tensor.
/// </summary>
internal static class WalkthroughChecks
{
    /// <summary>PyTorch's float64 gradients must agree within this norm-relative error.</summary>
    internal const double TorchRtol = 1e-4;

    private static readonly string[] Names = ["x", "w1", "b1", "w2", "b2"];

    /// <summary>
    /// Writes the rows and weights to an npz, runs <c>tools/torch_reference.py --inputs</c> with the same relu, and
    /// compares our float32 output, loss and gradients with PyTorch's float64 ones; or says why it could not run.
    /// </summary>
    public static void Torch(Report r, WalkthroughOptions o, Tensor xs, Tensor ys, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
    {
        var json = r.Child("pytorch");
        string relu = o.Relu == LessonRelu.Shifted ? "shifted" : "plain";
        string? why = null;
        string? script = FindScript();
        if (o.Python == "none") why = "--python none";
        else if (!File.Exists(o.Python)) why = $"{o.Python} does not exist (install python3 with torch, or pass --python PATH)";
        else if (script is null) why = "tools/torch_reference.py was not found above the current or the program's directory";
        string dir = Path.Combine(Path.GetTempPath(), $"mlp-walkthrough-{Environment.ProcessId}");
        try
        {
            LessonReference? reference = null;
            if (why is null)
            {
                Directory.CreateDirectory(dir);
                string inputs = Path.Combine(dir, "inputs.npz"), output = Path.Combine(dir, "reference.npz");
                NpzWriter.WriteTensors(inputs, [new("x", xs), new("targ", ys), new("w1", w1), new("b1", b1), new("w2", w2), new("b2", b2)]);
                why = RunPython(o.Python, [script!, "--inputs", inputs, "--relu", relu, "--out", output]);
                if (why is null) reference = LessonReference.Load(output);
            }
            json["ran"] = reference is not null;
            if (reference is null)
            {
                json["reason"] = why;
                r.Note($"PyTorch float64 check: NOT RUN — {why}.");
                return;
            }
            var errors = reference.Compare();
            int flips = reference.ReluMaskDisagreements();
            bool pass = errors.All(e => e.Within(TorchRtol));
            json["rows"] = xs.Shape[0]; json["relu"] = relu; json["rtol"] = TorchRtol; json["pass"] = pass;
            json["relu_mask_disagreements"] = flips;
            r.Note($"PyTorch float64 autograd (tools/torch_reference.py --inputs, relu {relu}) on the same {xs.Shape[0]} training rows and weights:");
            r.Note($"    {"tensor",-8} {"‖ours − torch‖/‖torch‖",-24} {"max |ours − torch|",-20} (want ≤ {E(TorchRtol)})");
            foreach (var e in errors)
            {
                json[e.Name] = new JsonObject { ["norm_relative_error"] = e.NormRelativeError, ["max_abs_error"] = e.MaxAbsError };
                r.Note($"    {e.Name,-8} {E(e.NormRelativeError),-24} {E(e.MaxAbsError),-20} {(e.Within(TorchRtol) ? "ok" : "FAIL")}");
            }
            r.Note(pass ? $"  agrees with PyTorch within {E(TorchRtol)} (norm-relative) on every tensor"
                        : $"  DISAGREES with PyTorch beyond {E(TorchRtol)}{(flips > 0 ? $"; {flips} hidden pre-activation(s) round to the other side of relu's kink in float32" : "")}");
        }
        finally
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static string? FindScript()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                string p = Path.Combine(d.FullName, "tools", "torch_reference.py");
                if (File.Exists(p)) return p;
            }
        return null;
    }

    /// <summary>Runs python; null when it exited 0, else why not (its last error line).</summary>
    private static string? RunPython(string python, string[] args)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            return $"{python} tools/torch_reference.py ran longer than 2 minutes";
        }
        if (p.ExitCode == 0) return null;
        string last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return $"{python} tools/torch_reference.py exited {p.ExitCode}: {last}";
    }

    /// <summary>
    /// Central finite differences of the loss evaluated in double on the sample, against our float32 gradients, on
    /// entries whose ±2h perturbation crosses no relu kink. The model is piecewise linear in each entry and the loss
    /// quadratic, so away from kinks the double differences are exact up to ~1e-12: the whole difference is our
    /// float32 rounding. Each tensor's tolerance bounds that rounding: u = 2⁻²⁴ times (4√K + 16) for a K-term sum,
    /// applied to the absolute terms of the gradient, plus the forward's rounding carried through the loss gradient.
    /// </summary>
    public static void FiniteDifferences(Report r, Tensor xs, Tensor ys, Tensor w1, Tensor b1, Tensor w2, Tensor b2,
                                         LessonGradients ours, LessonRelu relu, int entries, Rng rng)
    {
        const double h = 1e-3, u = 1.0 / (1 << 24);
        int rows = xs.Shape[0], m = xs.Shape[1], nh = w1.Shape[1];
        double shift = relu == LessonRelu.Shifted ? ShiftedRelu.LessonShift : 0;
        int[][] chosen = Lesson.KinkFreeEntries(xs, w1, b1, h, entries, rng, out int[] skipped);
        double[][] p = [D(xs), D(w1), D(b1), D(w2), D(b2)];
        double[] y = D(ys);
        double[] X = p[0], W1 = p[1], B1 = p[2], W2 = p[3];

        double Loss()
        {
            double sum = 0;
            var l1 = new double[nh];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < nh; j++) l1[j] = p[2][j];
                for (int k = 0; k < m; k++)
                {
                    double xik = p[0][i * m + k];
                    if (xik == 0) continue;
                    for (int j = 0; j < nh; j++) l1[j] += xik * p[1][k * nh + j];
                }
                double o = p[4][0];
                for (int j = 0; j < nh; j++) o += (Math.Max(l1[j], 0) + shift) * p[3][j];
                sum += (o - y[i]) * (o - y[i]);
            }
            return sum / rows;
        }

        // The forward in double, with the rounding bound of our float32 output and loss gradient per row.
        var L1 = new double[rows * nh]; var absL1 = new double[rows * nh];
        var dOut = new double[rows]; var errDOut = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double o = p[4][0], errOut = Math.Abs(p[4][0]);
            for (int j = 0; j < nh; j++)
            {
                double l = B1[j], a = Math.Abs(B1[j]);
                for (int k = 0; k < m; k++) { l += X[i * m + k] * W1[k * nh + j]; a += Math.Abs(X[i * m + k] * W1[k * nh + j]); }
                L1[i * nh + j] = l; absL1[i * nh + j] = a;
                double l2 = Math.Max(l, 0) + shift;
                o += l2 * W2[j];
                errOut += (u * (4 * Math.Sqrt(m) + 16) * a + u * (4 * Math.Sqrt(nh) + 16) * Math.Abs(l2)) * Math.Abs(W2[j]);
            }
            dOut[i] = 2 * (o - y[i]) / rows;
            errDOut[i] = 2 * u * errOut / rows + 4 * u * Math.Abs(dOut[i]);
        }
        double G(int k) => u * (4 * Math.Sqrt(k) + 16);
        bool On(int i, int j) => L1[i * nh + j] > 0;
        double Bound(int t, int e)
        {
            double b = 0;
            switch (t)
            {
                case 0: { int i = e / m, k = e % m; for (int j = 0; j < nh; j++) if (On(i, j)) b += Math.Abs(W1[k * nh + j] * W2[j]) * (Math.Abs(dOut[i]) * G(nh) + errDOut[i]); break; }
                case 1: { int k = e / nh, j = e % nh; for (int i = 0; i < rows; i++) if (On(i, j)) b += Math.Abs(X[i * m + k] * W2[j]) * (Math.Abs(dOut[i]) * G(rows) + errDOut[i]); break; }
                case 2: { for (int i = 0; i < rows; i++) if (On(i, e)) b += Math.Abs(W2[e]) * (Math.Abs(dOut[i]) * G(rows) + errDOut[i]); break; }
                case 3: { for (int i = 0; i < rows; i++) { double l2 = Math.Max(L1[i * nh + e], 0) + shift; b += Math.Abs(l2) * (Math.Abs(dOut[i]) * G(rows) + errDOut[i]) + Math.Abs(dOut[i]) * G(m) * absL1[i * nh + e]; } break; }
                default: { for (int i = 0; i < rows; i++) b += Math.Abs(dOut[i]) * G(rows) + errDOut[i]; break; }
            }
            return b;
        }

        Tensor[] analytic = [ours.Dx, ours.Dw1, ours.Db1, ours.Dw2, ours.Db2];
        var json = r.Child("finite_differences");
        json["rows"] = rows; json["entries_per_tensor"] = entries; json["step"] = h;
        json["precision"] = "loss evaluated in double; our gradients in float32";
        json["entry_rule"] = "random entries whose ±2h perturbation crosses no relu kink in the sample";
        r.Note($"finite differences of the loss in double: {rows} training rows, up to {entries} random entries per tensor, step h = {h}");
        r.Note("  (entries whose ±2h would move a relu input across 0 are skipped); tolerance = our float32 rounding bound per tensor:");
        r.Note($"    {"tensor",-6}  {"checked",7}  {"skipped",7}  {"‖ours − fd‖/‖fd‖",-18} {"tolerance",-10}");
        bool all = true;
        for (int t = 0; t < 5; t++)
        {
            var err = new ErrorNorm();
            double boundSq = 0, fdSq = 0;
            foreach (int e in chosen[t])
            {
                double v = p[t][e];
                p[t][e] = v + h; double up = Loss();
                p[t][e] = v - h; double down = Loss();
                p[t][e] = v;
                double fd = (up - down) / (2 * h);
                err.Add(analytic[t].AsSpan()[e], fd);
                double b = Bound(t, e);
                boundSq += b * b; fdSq += fd * fd;
            }
            double tol = (fdSq > 0 ? Math.Sqrt(boundSq / fdSq) : Math.Sqrt(boundSq)) + 1e-9;
            bool ok = err.NormRelativeError <= tol;
            all &= ok;
            json[Names[t]] = new JsonObject
            {
                ["entries"] = chosen[t].Length, ["skipped_at_kink"] = skipped[t], ["max_abs_error"] = err.MaxAbsError,
                ["norm_relative_error"] = err.NormRelativeError, ["tolerance"] = tol, ["pass"] = ok,
            };
            r.Note($"    {Names[t],-6}  {chosen[t].Length,7}  {skipped[t],7}  {E(err.NormRelativeError),-18} {E(tol),-10} {(ok ? "ok" : "FAIL")}");
        }
        json["pass"] = all;
        r.Note(all ? "  every gradient agrees with finite differences within its float32 rounding bound" : "  SOME GRADIENT DISAGREES with finite differences");
    }

    private static double[] D(Tensor t)
    {
        var s = t.AsSpan();
        var d = new double[s.Length];
        for (int i = 0; i < s.Length; i++) d[i] = s[i];
        return d;
    }
}
