using Microsoft.ML;
using Mlp.MLNet.Tests.DataView;

namespace Mlp.MLNet.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class MlpStreamingTests(FashionMnistRows rows)
{
    [Fact]
    public void A_view_too_large_for_the_memory_budget_trains_by_streaming_through_a_bounded_window()
    {
        var ml = new MLContext(seed: 0);
        var keyed = FashionCsv.Prep(ml).Fit(ml.Data.Cache(FashionCsv.Loader(ml).Load(rows.TrainCsv)));
        var stream = new StreamOnlyView(keyed.Transform(ml.Data.Cache(FashionCsv.Loader(ml).Load(rows.TrainCsv))));
        var options = Recipe.Options();
        options.Epochs = 3;
        options.MaxInMemoryBytes = 100 * 784 * 4;   // room for 100 rows of 6000: the data is never held
        options.ShufflePoolRows = 512;
        var model = ml.MulticlassClassification.Trainers.Mlp(options).Fit(stream);

        // The budget pass stops after 101 rows; then 3 epochs stream all 6000 rows each.
        Assert.Equal(101 + 3 * FashionMnistRows.TrainRows, stream.RowsRead);
        Assert.Equal(3, model.History.Count);
        var test = keyed.Transform(FashionCsv.Loader(ml).Load(rows.TestCsv));
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Assert.InRange(accuracy, 0.80, 1.0);   // SDCA reaches 0.82 with all of its iterations; 3 streamed epochs are close
    }
}
