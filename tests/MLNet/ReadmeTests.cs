using Mlp.Data;

namespace Mlp.MLNet.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class ReadmeTests(FashionMnistRows rows)
{
    [Fact]
    public void The_README_example_trains_evaluates_saves_and_loads()
    {
        // The example on the suite's split, cut to 1500 training and 500 validation rows to stay quick.
        string train = Path.Combine(rows.Directory, "readme-train.csv"), valid = Path.Combine(rows.Directory, "readme-valid.csv");
        string model = Path.Combine(rows.Directory, "readme.zip");
        FashionMnistRows.WriteCsv(rows.Train.Slice(0, 1500, "readme"), train);
        FashionMnistRows.WriteCsv(rows.Train.Slice(1500, 500, "readme valid"), valid);
        var console = Console.Out;
        var printed = new StringWriter();
        Console.SetOut(printed);
        (double accuracy, MlpTransformer mlp) result;
        try { result = ReadmeExample.TrainFashion(train, valid, rows.TestCsv, model); }
        finally { Console.SetOut(console); }
        Assert.InRange(result.accuracy, 0.75, 1.0);
        Assert.True(new FileInfo(model).Length > 100_000);   // 784·100 + 100·10 float weights are in the file
        // One log line per epoch, each with the validation metrics of that epoch.
        var lines = printed.ToString().Split('\n').Where(l => l.Contains("Source=MlpMulticlassTrainer", StringComparison.Ordinal)).ToArray();
        Assert.Equal(10, lines.Length);
        Assert.Equal(result.mlp.History.Select(m => MlpMulticlassTrainer.EpochLine(m, 10)), lines.Select(l => l[l.IndexOf("Epoch ", StringComparison.Ordinal)..].TrimEnd('\r')));
        Assert.All(result.mlp.History, m => Assert.InRange(m.ValidAccuracy, 0.6, 1.0));
    }
}
