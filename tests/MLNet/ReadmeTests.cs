using Mlp.Data;

namespace Mlp.MLNet.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class ReadmeTests(FashionMnistRows rows)
{
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
