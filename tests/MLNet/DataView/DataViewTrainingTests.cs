using Microsoft.ML;
using Mlp.Data;
using Mlp.DataView;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.MLNet.Tests.DataView;

public sealed class DataViewTrainingTests
{
    // Two Gaussian blobs at (±2, ±2) in 2-D: linearly separable, so a small MLP must classify them all.
    private static Dataset Blobs(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var labels = new int[n];
        var x = Tensor.Create([n, 2], buf =>
        {
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % 2;
                float c = labels[i] == 0 ? -2f : 2f;
                buf[2 * i] = c + 0.5f * (float)rng.NextNormal();
                buf[2 * i + 1] = c + 0.5f * (float)rng.NextNormal();
            }
        });
        return new Dataset(x, labels, "blobs");
    }

    private static TrainingResult Fit(IDataView view, ulong seed, CancellationToken ct, IOptimizer? optimizer = null)
    {
        var model = Model.Perceptron(2, [8], 2);
        var adam = optimizer ?? new Adam(0.01f);
        var reader = DataViewBatchReader.Create(view, DataViewColumns.Default);
        return Trainer.Fit(model, adam, TrainingState.Start(model, adam, seed), new DataViewBatchSource(reader, 32), null, new TrainingOptions(5, 16, seed), null, ct);
    }

    [Fact]
    public void Streamed_training_learns_separable_blobs_and_records_each_epoch()
    {
        var data = Blobs(400, 1);
        var r = Fit(new StreamOnlyView(DatasetDataView.FromDataset(data)), 3, CancellationToken.None);
        Assert.False(r.Cancelled);
        Assert.Equal([1, 2, 3, 4, 5], r.History.Select(h => h.Epoch));
        Assert.True(r.History[^1].TrainLoss < r.History[0].TrainLoss);
        var model = Model.Perceptron(2, [8], 2);
        var test = Blobs(200, 2);
        Assert.Equal(test.Labels, model.PredictClasses(r.State.Parameters, test.X));
    }

    [Fact]
    public void The_same_seed_gives_the_same_parameters_bit_for_bit_and_another_seed_does_not()
    {
        var view = DatasetDataView.FromDataset(Blobs(300, 4));   // a view that shuffles itself with the epoch's Random
        var a = Fit(view, 7, CancellationToken.None);
        var b = Fit(view, 7, CancellationToken.None);
        var c = Fit(view, 8, CancellationToken.None);
        Assert.True(a.State.Parameters.BitwiseEquals(b.State.Parameters));
        Assert.False(a.State.Parameters.BitwiseEquals(c.State.Parameters));
    }

    [Fact]
    public void A_cancelled_run_stops_before_its_first_step_and_says_so()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = Fit(DatasetDataView.FromDataset(Blobs(64, 5)), 1, cts.Token);
        Assert.True(r.Cancelled);
        Assert.Equal(0, r.State.Epoch);
        Assert.Empty(r.History);
    }

    [Fact]
    public void A_diverging_run_stops_with_the_epoch_and_step()
    {
        var e = Assert.Throws<NonFiniteLossException>(() => Fit(DatasetDataView.FromDataset(Blobs(256, 6)), 1, CancellationToken.None, new Sgd(1e6f)));
        Assert.Equal(1, e.Epoch);
        Assert.Contains("smaller learning rate", e.Message);
    }
}
