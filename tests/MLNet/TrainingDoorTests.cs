using Microsoft.ML;
using Mlp.Data;
using Mlp.DataView;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.MLNet.Tests;

/// <summary>
/// Every <see cref="TrainingOptions"/> field set through the ML.NET trainer reaches the one training loop: the trained
/// parameters equal, bit for bit, those of the direct C# <c>Trainer.Fit</c> on the same rows, seed and options.
/// </summary>
public sealed class TrainingDoorTests
{
    // A loss other than the default, so that the Loss field is seen to reach the loop: cross-entropy doubled.
    private static readonly Loss DoubledCrossEntropy = new("cross_entropy×2", (output, labels) =>
    {
        var (l, back) = Mlp.CrossEntropy.Forward(output, labels);
        return new Vjp<Tensor>(l * 2f, dl => back(dl * 2f));
    });

    private static MlpTrainerOptions EveryField(long maxInMemoryBytes) => new()
    {
        HiddenSizes = [6], Epochs = 4, LearningRate = 0.2f, BatchSize = 7, Seed = 11, Optimizer = MlpOptimizer.Sgd, Momentum = 0.5f,
        Schedule = LearningRateSchedule.Cosine, Loss = DoubledCrossEntropy, EvaluationBatchSize = 5,
        MaxInMemoryBytes = maxInMemoryBytes, ShufflePoolRows = 16,
    };

    private static TrainingOptions Direct => new(4, 7, 11) { Schedule = LearningRateSchedule.Cosine, Loss = DoubledCrossEntropy, EvaluationBatchSize = 5 };

    private static (Model, IOptimizer, TrainingState) Start()
    {
        var model = Model.Perceptron(4, [6], 3);
        var sgd = new Sgd(0.2f) { Momentum = 0.5f };
        return (model, sgd, TrainingState.Start(model, sgd, 11));
    }

    [Fact]
    public void The_trainer_passes_every_training_option_to_the_loop()
    {
        var trainer = new MLContext(0).MulticlassClassification.Trainers.Mlp(EveryField(1 << 20));
        Assert.Equal(Direct, trainer.TrainingOptions);
    }

    [Fact]
    public void In_memory_ML_NET_training_with_a_cosine_schedule_equals_the_direct_call_bit_for_bit()
    {
        var data = ThreeBlobs.Rows(60, 1);
        var trained = new MLContext(0).MulticlassClassification.Trainers.Mlp(EveryField(1 << 20)).Fit(DatasetDataView.FromDataset(data));

        var (model, sgd, start) = Start();
        var direct = Trainer.Fit(model, sgd, start, data, null, Direct, null, CancellationToken.None).State.Parameters;
        Assert.True(direct.BitwiseEquals(trained.Model.Weights));
        // Not vacuous: without the schedule (or with the default loss) the parameters differ.
        var constant = Trainer.Fit(model, sgd, start, data, null, Direct with { Schedule = LearningRateSchedule.Constant }, null, CancellationToken.None);
        var plainLoss = Trainer.Fit(model, sgd, start, data, null, Direct with { Loss = Loss.CrossEntropy }, null, CancellationToken.None);
        Assert.False(constant.State.Parameters.BitwiseEquals(trained.Model.Weights));
        Assert.False(plainLoss.State.Parameters.BitwiseEquals(trained.Model.Weights));
    }

    [Fact]
    public void Streamed_ML_NET_training_with_a_cosine_schedule_equals_the_direct_call_on_the_streamed_source()
    {
        var data = ThreeBlobs.Rows(60, 2);
        var view = DatasetDataView.FromDataset(data);
        var trained = new MLContext(0).MulticlassClassification.Trainers.Mlp(EveryField(0)).Fit(view);

        var (model, sgd, start) = Start();
        var source = new DataViewBatchSource(DataViewBatchReader.Create(view, DataViewColumns.Default), 16);
        var direct = Trainer.Fit(model, sgd, start, source, null, Direct, null, CancellationToken.None).State.Parameters;
        Assert.True(direct.BitwiseEquals(trained.Model.Weights));
        var constant = Trainer.Fit(model, sgd, start, source, null, Direct with { Schedule = LearningRateSchedule.Constant }, null, CancellationToken.None);
        Assert.False(constant.State.Parameters.BitwiseEquals(trained.Model.Weights));   // the schedule reaches streamed training
    }

    [Fact]
    public void A_user_sequence_of_batches_trains_through_the_same_loop_as_a_dataset()
    {
        var data = ThreeBlobs.Rows(50, 3);
        var (model, sgd, start) = Start();
        var options = Direct with { BatchSize = 8 };
        var fromDataset = Trainer.Fit(model, sgd, start, data, null, options, null, CancellationToken.None).State.Parameters;
        // The user's own batching that happens to cut the same seeded permutation.
        var user = BatchSource.From("user batches", epoch =>
            Batches.ForEpoch(data.Count, 8, options.Seed, epoch).Select(idx => new Batch(data.X.SelectRows(idx), idx.Select(i => data.Labels[i]))));
        var fromUser = Trainer.Fit(model, sgd, start, user, null, options, null, CancellationToken.None).State.Parameters;
        Assert.True(fromDataset.BitwiseEquals(fromUser));
    }
}
