using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Mlp.Hostile;

/// <summary>
/// Issue 12's attack harness: hostile inputs for every format the <c>mlp</c> program reads (IDX, pickle, npz with
/// the npy inside it, safetensors model files, checkpoints), each run through the real program. Every run must end
/// with exit 0 (the input happened to be valid), 1 or 2; a failure prints no stack trace and names the file; peak
/// RSS stays ≤ 512 MB (all inputs are ≤ 10 MB); no temporary file is left. The fast set (hand-made lies and bombs
/// plus a few seeded corruptions) runs in CI; <c>MLP_HOSTILE_FULL=1</c> (tools/attack.sh) adds ≥ 300 seeded
/// corruptions. The report (counts per format, every violation) goes to the test output and
/// <c>$TMPDIR/mlp-hostile-report.txt</c>.
/// </summary>
public sealed class AttackTests(Bases bases, ITestOutputHelper output) : IClassFixture<Bases>
{
    private const long MaxRssKb = 512 * 1024;

    private static readonly bool Full = Environment.GetEnvironmentVariable("MLP_HOSTILE_FULL") == "1";

    private static int Random(int full) => Full ? full : 0;

    private static readonly Regex StackTrace = new(@"^\s+at \S+.*\(|Unhandled exception|   --- End of", RegexOptions.Multiline);

    private sealed record Outcome(HostileInput Input, Mlp.Result Result, List<string> Violations);

    private Outcome RunOne(HostileInput input)
    {
        string dir = Directory.CreateTempSubdirectory("mlp-hostile-").FullName;
        try
        {
            string path, file = input.FileName;
            string[] args;
            switch (input.Format)
            {
                case "idx":
                    string data = Path.Combine(dir, "data");
                    Directory.CreateDirectory(data);
                    // The other file of the pair stays valid; the hostile one replaces its valid twin.
                    bool labels = file.StartsWith(Inputs.LabelsName, StringComparison.Ordinal);
                    File.WriteAllBytes(Path.Combine(data, labels ? Inputs.ImagesName : Inputs.LabelsName), labels ? bases.Images : bases.Labels);
                    path = Path.Combine(data, file);
                    File.WriteAllBytes(path, input.Bytes);
                    args = ["train", "--data", data, "--epochs", "1", "--hidden", "8", "--batch", "50", "--save", Path.Combine(dir, "out.safetensors")];
                    break;
                case "pickle":
                    path = Path.Combine(dir, file);
                    File.WriteAllBytes(path, input.Bytes);
                    args = ["train", "--data", path, "--epochs", "1", "--hidden", "8", "--batch", "50", "--save", Path.Combine(dir, "out.safetensors")];
                    break;
                case "npz":
                    path = Path.Combine(dir, file);
                    File.WriteAllBytes(path, input.Bytes);
                    args = ["gradcheck", "--reference", path];
                    break;
                case "safetensors":
                    path = Path.Combine(dir, file);
                    File.WriteAllBytes(path, input.Bytes);
                    args = ["eval", "--model", path, "--data", bases.DataDir, "--predictions", Path.Combine(dir, "pred.npz")];
                    break;
                default:
                    path = Path.Combine(dir, file);
                    File.WriteAllBytes(path, input.Bytes);
                    args = ["train", "--resume", path, "--data", bases.DataDir, "--epochs", "2", "--checkpoint", Path.Combine(dir, "next.ckpt")];
                    break;
            }
            var r = Mlp.Run(dir, input.Env, args);
            var v = new List<string>();
            string all = r.Stdout + "\n" + r.Stderr;
            if (StackTrace.IsMatch(all)) v.Add("stack trace");
            if (r.ExitCode is not (0 or 1 or 2)) v.Add($"exit code {r.ExitCode}");
            // Exit 2/1 with an error names the file on stderr; exit 1 from a failed check (gradcheck against a
            // corrupted but well-formed reference) names it in its report.
            if (r.ExitCode != 0 && !all.Contains(Path.GetFileName(path), StringComparison.Ordinal) && !all.Contains(Path.GetDirectoryName(path)!, StringComparison.Ordinal))
                v.Add("message does not name the file");
            if (input.Bytes.Length <= 10 << 20 && r.PeakRssKb > MaxRssKb) v.Add($"peak RSS {r.PeakRssKb / 1024} MB");
            var temps = Directory.EnumerateFiles(dir, "*.tmp", SearchOption.AllDirectories).ToArray();
            if (temps.Length > 0) v.Add($"temporary files left: {string.Join(", ", temps.Select(Path.GetFileName))}");
            return new Outcome(input, r, v);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // The fast set: every other hand-made input and every bomb (random corruptions only in the full run).
    private static IEnumerable<HostileInput> Select(IEnumerable<HostileInput> inputs) =>
        Full ? inputs : inputs.Where((x, i) => !x.Name.StartsWith("random", StringComparison.Ordinal) && (i % 2 == 0 || x.Name.Contains("bomb", StringComparison.Ordinal)));

    private void Attack(string format, IEnumerable<HostileInput> inputs)
    {
        var outcomes = Select(inputs).ToList().Select(RunOne).ToList();
        var sb = new StringBuilder();
        int traces = outcomes.Count(o => o.Violations.Contains("stack trace"));
        int rss = outcomes.Count(o => o.Violations.Any(v => v.StartsWith("peak RSS", StringComparison.Ordinal)));
        long maxRss = outcomes.Max(o => o.Result.PeakRssKb);
        sb.AppendLine($"{format}: {outcomes.Count} inputs ({(Full ? "full" : "fast")}), exit 0/1/2 = {outcomes.Count(o => o.Result.ExitCode == 0)}/" +
                      $"{outcomes.Count(o => o.Result.ExitCode == 1)}/{outcomes.Count(o => o.Result.ExitCode == 2)}, stack traces {traces}, " +
                      $"RSS violations {rss}, max RSS {maxRss / 1024} MB");
        foreach (var o in outcomes.Where(o => o.Violations.Count > 0))
            sb.AppendLine($"  VIOLATION {o.Input}: {string.Join("; ", o.Violations)} — exit {o.Result.ExitCode}: " +
                          $"{FirstLines(o.Result.Stderr + o.Result.Stdout)}");
        foreach (var o in outcomes.Where(o => o.Violations.Count == 0 && o.Input.Name.Contains("bomb", StringComparison.Ordinal)))
            sb.AppendLine($"  ok {o.Input}: exit {o.Result.ExitCode}, {o.Result.PeakRssKb / 1024} MB: {FirstLines(o.Result.Stderr)}");
        string report = sb.ToString();
        output.WriteLine(report);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "mlp-hostile-report.txt"), report);
        Assert.True(outcomes.All(o => o.Violations.Count == 0), report);
    }

    private static string FirstLines(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string t = string.Join(" | ", lines.Take(2)).Trim();
        return t.Length > 300 ? t[..300] + "…" : t;
    }

    [Fact]
    public void Idx() => Attack("idx", Inputs.Idx(bases, Random(60)));

    [Fact]
    public void Pickle() => Attack("pickle", Inputs.Pickle(bases, Random(60)));

    [Fact]
    public void Npz() => Attack("npz", Inputs.Npz(bases, Random(60)));

    [Fact]
    public void Safetensors() => Attack("safetensors", Inputs.Model(bases, Random(50)));

    [Fact]
    public void Checkpoint() => Attack("checkpoint", Inputs.Checkpoint(bases, Random(50)));
}
