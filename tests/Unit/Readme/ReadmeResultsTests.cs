using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlp.Tests.Data;

namespace Mlp.Tests.Readme;

/// <summary>
/// README's accuracy table shows what <c>tools/acceptance_training.sh</c> measured, as written to
/// <c>bench/results/training.json</c>: row i of the table starts with row i's accuracies (rounded to 4 places), then
/// its median where it has one. After a change that moves the bits, re-run the script and copy the numbers.
/// </summary>
public partial class ReadmeResultsTests
{
    public const string ResultsFile = "bench/results/training.json";

    [GeneratedRegex(@"\b[01]\.\d{4}\b")]
    private static partial Regex Accuracy();

    /// <summary>Each row's expected numbers, as the README writes them.</summary>
    public static IReadOnlyList<(string Recipe, string[] Numbers)> Expected(JsonElement results) =>
        results.GetProperty("rows").EnumerateArray().Select(row =>
        {
            var numbers = row.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("value").GetDouble()).ToList();
            if (row.TryGetProperty("median", out var median)) numbers.Add(median.GetDouble());
            return (row.GetProperty("recipe").GetString()!, numbers.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)).ToArray());
        }).ToList();

    /// <summary>The accuracy table's body rows: the table under the line that names tools/acceptance_training.sh.</summary>
    public static IReadOnlyList<string> TableRows(string readme)
    {
        string[] lines = readme.Replace("\r\n", "\n").Split('\n');
        int intro = Array.FindIndex(lines, l => l.Contains("tools/acceptance_training.sh", StringComparison.Ordinal) && l.StartsWith("Measured", StringComparison.Ordinal));
        Assert.True(intro >= 0, "README.md has no 'Measured … tools/acceptance_training.sh' line above its accuracy table");
        int header = Array.FindIndex(lines, intro, l => l.StartsWith('|'));
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToList();
    }

    [Fact]
    public void The_readme_accuracy_table_shows_the_results_file()
    {
        string root = TestData.RepoRoot;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ResultsFile)));
        var expected = Expected(doc.RootElement);
        var rows = TableRows(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.True(rows.Count == expected.Count, $"README's table has {rows.Count} rows; {ResultsFile} has {expected.Count}");
        for (int i = 0; i < rows.Count; i++)
        {
            string[] shown = Accuracy().Matches(rows[i]).Select(m => m.Value).Take(expected[i].Numbers.Length).ToArray();
            Assert.True(shown.SequenceEqual(expected[i].Numbers),
                $"README table row {i + 1} ({expected[i].Recipe}) shows {string.Join(", ", shown)}; {ResultsFile} has {string.Join(", ", expected[i].Numbers)}. " +
                "Copy the numbers from the file (tools/acceptance_training.sh writes it).");
        }
    }

    [Fact]
    public void The_checker_reads_rows_medians_and_the_table()
    {
        using var doc = JsonDocument.Parse("""
            {"rows": [{"recipe": "a", "runs": [{"value": 0.86624}, {"value": 0.8741}], "median": 0.87}, {"recipe": "b", "runs": [{"value": 0.965}]}]}
            """);
        var e = Expected(doc.RootElement);
        Assert.Equal(["0.8662", "0.8741", "0.8700"], e[0].Numbers);
        Assert.Equal(["0.9650"], e[1].Numbers);
        var rows = TableRows("x\n\nMeasured on y (`tools/acceptance_training.sh` reruns it):\n\n| r | a |\n|---|---|\n| one | 0.8662, 0.8741 (median 0.8700) |\n| two | 0.9650 |\n\nafter\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["0.8662", "0.8741", "0.8700"], Accuracy().Matches(rows[0]).Select(m => m.Value));
    }
}
