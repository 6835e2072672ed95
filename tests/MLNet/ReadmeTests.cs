using Mlp.Data;

namespace Mlp.MLNet.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class ReadmeTests(FashionMnistRows rows)
{
    private static string Snippet()
    {
        string source = File.ReadAllText(Path.Combine(FashionMnistRows.RepoRoot(), "tests", "MLNet", "ReadmeExample.cs"));
        int begin = source.IndexOf("// README-BEGIN\n", StringComparison.Ordinal) + "// README-BEGIN\n".Length;
        int end = source.IndexOf("    // README-END", StringComparison.Ordinal);
        var lines = source[begin..end].TrimEnd('\n').Split('\n').Select(l => l.Length >= 4 ? l[4..] : l.TrimStart());
        return string.Join("\n", lines);
    }

    [Fact]
    public void The_README_shows_the_compiled_MLNet_example_verbatim()
    {
        string readme = File.ReadAllText(Path.Combine(FashionMnistRows.RepoRoot(), "README.md"));
        Assert.Contains("## Using Mlp in ML.NET", readme);
        Assert.Contains(Snippet(), readme);
    }

    [Fact]
    public void The_README_example_trains_evaluates_saves_and_loads()
    {
        // The example on the suite's split, cut to 1500 training rows to stay quick.
        string train = Path.Combine(rows.Directory, "readme-train.csv"), model = Path.Combine(rows.Directory, "readme.zip");
        FashionMnistRows.WriteCsv(rows.Train.Slice(0, 1500, "readme"), train);
        double accuracy = ReadmeExample.TrainFashion(train, rows.TestCsv, model);
        Assert.InRange(accuracy, 0.75, 1.0);
        Assert.True(new FileInfo(model).Length > 100_000);   // 784·100 + 100·10 float weights are in the file
    }
}
