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
    public void Streamed_batches_given_back_after_their_step_train_bit_for_bit_as_copies_nobody_gives_back()
    {
        // Batches of 32 × 784 floats (100 KB) are large enough to be recycled: the training loop hands each streamed batch's
        // array back to the pool after its step, and the reader's next batch takes it. Had one gone back while its step still
        // read it, the first layer's output (784 wide, so of the batch's length) would take it and overwrite the rows the
        // backward reads, and the weights would differ from training on copies of the same batches, which nobody gives back.
        var rng = new Rng(5);
        const int rows = 320, features = 784, batch = 32, epochs = 3;
        var x = rng.Normal(rows, features);
        var labels = Enumerable.Range(0, rows).Select(i => (int)(rng.NextUInt64() % 10)).ToArray();
        var source = new DataViewBatchSource(DataViewBatchReader.Create(DatasetDataView.FromDataset(new Dataset(x, labels, "random")), DataViewColumns.Default), 64);
        var model = Model.Perceptron(features, [features], 10);
        var sgd = new Sgd(0.05f) { Momentum = 0.9f };
        var options = new TrainingOptions(epochs, batch, 7);
        var start = TrainingState.Start(model, sgd, 7);
        // The source's epochs are fixed by epoch and seed: read each once more and keep copies of its batches.
        var copies = Enumerable.Range(0, epochs)
            .Select(e => source.Epoch(e, batch, options.Seed, 0).Select(b => new Batch(b.X.SelectRows(Enumerable.Range(0, b.Count).ToArray()), b.Labels.ToArray())).ToList())
            .ToList();
        Assert.All(copies, epoch => Assert.Equal(rows / batch, epoch.Count));

        var streamed = Trainer.Fit(model, sgd, start, source, null, options, null, CancellationToken.None).State.Parameters;
        var held = Trainer.Fit(model, sgd, start, BatchSource.From("copies", e => copies[e]), null, options, null, CancellationToken.None).State.Parameters;
        Assert.True(streamed.BitwiseEquals(held));
        Assert.False(streamed.BitwiseEquals(start.Parameters));
    }

    [Fact]
    public void Batches_a_user_keeps_from_a_built_in_source_are_never_given_back_by_the_loop()
    {
        // The user reads one streamed epoch once and trains on those same batches every epoch through their own source. The
        // loop gives back only batches its own built-in source made for it: were these given back after their step in the
        // first epoch, the first layer's outputs (784 wide, the batches' length) would take their arrays and the next epochs
        // would read overwritten rows, and the weights would differ from training on copies.
        var rng = new Rng(6);
        const int rows = 320, features = 784, batch = 32;
        var x = rng.Normal(rows, features);
        var labels = Enumerable.Range(0, rows).Select(i => (int)(rng.NextUInt64() % 10)).ToArray();
        var streamed = new DataViewBatchSource(DataViewBatchReader.Create(DatasetDataView.FromDataset(new Dataset(x, labels, "random")), DataViewColumns.Default), 64);
        var kept = streamed.Epoch(0, batch, 7, 0).ToList();
        var copies = kept.Select(b => new Batch(b.X.SelectRows(Enumerable.Range(0, b.Count).ToArray()), b.Labels.ToArray())).ToList();
        var model = Model.Perceptron(features, [features], 10);
        var sgd = new Sgd(0.05f) { Momentum = 0.9f };
        var options = new TrainingOptions(3, batch, 7);
        var start = TrainingState.Start(model, sgd, 7);

        var fromKept = Trainer.Fit(model, sgd, start, BatchSource.From("kept", kept), null, options, null, CancellationToken.None).State.Parameters;
        var fromCopies = Trainer.Fit(model, sgd, start, BatchSource.From("copies", copies), null, options, null, CancellationToken.None).State.Parameters;
        Assert.True(fromKept.BitwiseEquals(fromCopies));
        Assert.False(fromKept.BitwiseEquals(start.Parameters));
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
