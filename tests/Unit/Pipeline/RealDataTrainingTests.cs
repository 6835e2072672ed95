using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Tests.Data;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

/// <summary>Short real training runs: the pipeline learns real images, deterministically.</summary>
[Collection(TestData.WholeDatasets)]
public class RealDataTrainingTests
{
    private static TrainingResult OneEpochOnFashionSlice(ulong seed)
    {
        var data = PipelineFixtures.EmbeddedFashion.Value;
        var train = data.Train.Slice(0, 2000, "embedded Fashion-MNIST, first 2000 rows");
        var model = Model.Perceptron(784, [100], 10);
        var opt = new Sgd(0.1f);
        return Trainer.Fit(model, opt, TrainingState.Start(model, opt, seed), train, data.Valid, new TrainingOptions(1, 64, seed), null, default);
    }

    [Fact]
    public void One_epoch_on_2000_fashion_mnist_rows_reaches_a_sane_validation_accuracy()
    {
        // Measured: 0.7115 for seed 0 (chance is 0.10); the margin allows other seeds and kernels.
        var r = OneEpochOnFashionSlice(0);
        var m = r.History.Single();
        Assert.InRange(m.ValidAccuracy, 0.65, 1.0);
        Assert.True(m.ValidLoss < 1.0, $"valid loss {m.ValidLoss}");   // ln 10 ≈ 2.30 at chance
    }

    [Fact]
    public void Two_training_runs_with_the_same_seed_save_identical_bytes()
    {
        string dir = PipelineFixtures.TempDir();
        try
        {
            var model = Model.Perceptron(784, [100], 10);
            string a = Path.Combine(dir, "a.safetensors"), b = Path.Combine(dir, "b.safetensors");
            ModelFile.Save(a, model, OneEpochOnFashionSlice(3).State.Parameters, null);
            ModelFile.Save(b, model, OneEpochOnFashionSlice(3).State.Parameters, null);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Real_mnist_first_8000_rows_train_a_model_that_gets_the_last_2000_above_94_percent()
    {
        if (PipelineFixtures.MnistT10k is not { } dir) return;   // shared/ is absent outside the project's machines and CI
        var data = Normalization.ByTrainStatistics(DataLoader.Load(dir)).Splits;
        Assert.Equal((8000, 2000), (data.Train.Count, data.Valid.Count));
        var model = Model.Perceptron(784, [100], 10);
        var opt = new Sgd(0.05f) { Momentum = 0.9f };
        var r = Trainer.Fit(model, opt, TrainingState.Start(model, opt, 0), data.Train, data.Valid, new TrainingOptions(4, 64, 0), null, default);
        // Measured 0.958 after 4 epochs (0.965 after 10, the acceptance recipe).
        Assert.InRange(r.History[^1].ValidAccuracy, 0.94, 1.0);
    }
}
