using System.Text.Json;

namespace Mlp.Tests.Cli;

/// <summary>
/// The cheap rows of bench/results/training.json (those marked <c>"ci": true</c>, e.g. the real-MNIST row) are re-run
/// here with the exact arguments tools/acceptance_training.sh used: the same accuracy, to the last bit, or the file
/// (and the README table that tests/Unit checks against it) is stale.
/// </summary>
public class AcceptanceResultsTests
{
    [Fact]
    public void The_cheap_rows_of_the_results_file_reproduce_exactly()
    {
        string root = MlpProcess.RepoRoot();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "bench", "results", "training.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("ci").GetBoolean()).ToList();
        Assert.NotEmpty(rows);
        // The real MNIST test set lives in shared/data, beside (not inside) the repository.
        string? mnist = Ancestors(root).Select(d => Path.Combine(d, "shared", "data", "mnist-t10k")).FirstOrDefault(Directory.Exists);
        foreach (var row in rows)
            foreach (var run in row.GetProperty("runs").EnumerateArray())
            {
                string[] args = run.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
                if (args.Contains("{mnist-t10k}"))
                {
                    Assert.True(mnist != null, $"shared/data/mnist-t10k is not beside {root}; it is needed for '{row.GetProperty("recipe").GetString()}'");
                    args = args.Select(a => a == "{mnist-t10k}" ? mnist! : a).ToArray();
                }
                var r = MlpProcess.Run(["train", .. args, "--json"]);
                Assert.True(r.ExitCode == 0, $"mlp train {string.Join(' ', args)} exited with {r.ExitCode}: {r.Stderr}");
                string metric = run.GetProperty("metric").GetString()!;
                double got = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("result").GetProperty(metric).GetDouble();
                double want = run.GetProperty("value").GetDouble();
                Assert.True(got == want, $"mlp train {string.Join(' ', args)}: {metric} {got}, the results file says {want}. " +
                                         "Re-run tools/acceptance_training.sh and copy its numbers into README's table.");
            }
    }

    private static IEnumerable<string> Ancestors(string dir)
    {
        for (var d = new DirectoryInfo(dir); d != null; d = d.Parent) yield return d.FullName;
    }
}
