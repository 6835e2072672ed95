using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Data;
using Mlp.Models;
using Mlp.Training;

namespace Mlp.MLNet.Tests;

/// <summary>
/// The trainer driven the way ML.NET's own trainers are: the simple catalog overload, the MLContext's seed, its Log and
/// cancellation, Fit(train, validation), transformer.Model, and rows with missing values skipped.
/// </summary>
public sealed class MlNetHabitsTests
{
    public sealed class Row
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    // Three classes of 4-feature rows around distinct centres; with missing = k, every 7th row from row 3 gets a NaN
    // (in a feature, or in the label, alternately) until k rows are spoiled.
    private static Row[] Rows(int n, ulong seed, int missing = 0)
    {
        var rng = new Rng(seed);
        var rows = new Row[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % 3;
            var x = new float[4];
            for (int j = 0; j < 4; j++) x[j] = (j == label ? 2f : 0f) + (float)rng.NextNormal();
            rows[i] = new Row { Features = x, Label = label };
        }
        for (int k = 0, i = 3; k < missing; k++, i += 7)
        {
            if (k % 2 == 0) rows[i].Features[k % 4] = float.NaN;
            else rows[i].Label = float.NaN;
        }
        return rows;
    }

    private static bool Spoiled(Row r) => float.IsNaN(r.Label) || r.Features.Any(float.IsNaN);

    // The labels as keys, the way an ML.NET program prepares them (NaN labels become key 0, "missing").
    private static IDataView Keyed(MLContext ml, IEnumerable<Row> rows, IEnumerable<Row>? fitOn = null) =>
        ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(fitOn ?? rows)).Transform(ml.Data.LoadFromEnumerable(rows));

    private static float[][] Scores(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).Select(r => r.Score).ToArray();

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    // An ML.NET program written from ML.NET habits: a seed on the context, Log subscribed, Trainers.Mlp() with no
    // options, Fit(train, valid).
    private static (float[][] Scores, List<string> Log, MlpTransformer Model) Habitual(int seed)
    {
        var ml = new MLContext(seed: seed);
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("Epoch ", StringComparison.Ordinal)) log.Add(e.Message); };
        var train = Rows(150, 1);
        var prep = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(train));
        var trainer = ml.MulticlassClassification.Trainers.Mlp();
        var model = trainer.Fit(prep.Transform(ml.Data.LoadFromEnumerable(train)), prep.Transform(ml.Data.LoadFromEnumerable(Rows(60, 2))));
        var test = prep.Transform(ml.Data.LoadFromEnumerable(Rows(30, 3)));
        return (Scores(ml, model, test), log, model);
    }

    [Fact]
    public void A_program_written_from_ML_NET_habits_trains_logs_each_epoch_and_is_reproducible_by_the_contexts_seed()
    {
        var a = Habitual(seed: 5);
        var b = Habitual(seed: 5);
        var c = Habitual(seed: 6);

        // Ten epochs (the default), one line each, with the validation metrics.
        Assert.Equal(10, a.Log.Count);
        for (int e = 1; e <= 10; e++) Assert.Contains($"Epoch {e}/10: train loss ", a.Log[e - 1], StringComparison.Ordinal);
        Assert.All(a.Log, line => Assert.Contains("; valid loss ", line, StringComparison.Ordinal));
        Assert.Equal(a.Model.History.Select(m => MlpMulticlassTrainer.EpochLine(m, 10)), a.Log.Select(l => l[(l.IndexOf("Epoch ", StringComparison.Ordinal))..]));

        // The same seed gives the same scores bit for bit; another seed does not.
        Assert.Equal(a.Scores.SelectMany(s => s).Select(BitConverter.SingleToInt32Bits), b.Scores.SelectMany(s => s).Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a.Scores.SelectMany(s => s), c.Scores.SelectMany(s => s));
        Assert.Equal(4, a.Model.Model.Weights.Count);
        Assert.True(a.Model.Model.Weights.BitwiseEquals(b.Model.Model.Weights));
    }

    [Fact]
    public void An_explicit_seed_wins_over_the_contexts()
    {
        var data = Rows(90, 4);
        MlpTransformer Train(int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            return ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [5], Epochs = 2, Seed = 7 }).Fit(Keyed(ml, data));
        }
        Assert.True(Train(1).Model.Weights.BitwiseEquals(Train(2).Model.Weights));
        Assert.Equal(7UL, new MLContext(3).MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { Seed = 7 }).TrainingOptions.Seed);
    }

    [Fact]
    public void CancelExecution_stops_training_after_the_step_in_flight()
    {
        var ml = new MLContext(seed: 0);
        int steps = 0;
        // The loss runs once per step (there is no validation), so it counts steps; the fifth cancels the context.
        var counting = new Loss("counting cross_entropy", (output, labels) =>
        {
            if (++steps == 5) ml.CancelExecution();
            return Mlp.CrossEntropy.Forward(output, labels);
        });
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [8], Epochs = 50, BatchSize = 10, Loss = counting });
        var e = Assert.Throws<OperationCanceledException>(() => trainer.Fit(Keyed(ml, Rows(300, 5))));
        Assert.Equal(5, steps);                                    // the fifth step finished, the sixth never began
        Assert.Contains("epoch 1, after step 5", e.Message, StringComparison.Ordinal);
        // The context stays cancelled, as ML.NET's does: the next Fit refuses at once.
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(Keyed(ml, Rows(30, 5))));
        Assert.Equal(5, steps);
    }

    [Fact]
    public void Fit_with_validation_data_records_train_and_validation_metrics_per_epoch_and_calls_back()
    {
        var ml = new MLContext(seed: 1);
        var trainRows = Rows(120, 6);
        var validRows = Rows(45, 7);
        var seen = new List<EpochMetrics>();
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [6], Epochs = 3, EpochCompleted = seen.Add });
        var model = trainer.Fit(Keyed(ml, trainRows), Keyed(ml, validRows, trainRows));

        Assert.Equal([1, 2, 3], model.History.Select(m => m.Epoch));
        Assert.Equal(model.History, seen);
        // The last epoch's validation loss and accuracy are those of the final weights on the validation rows.
        var valid = new Dataset(Tensor.FromRows(validRows.Select(r => r.Features).ToArray()), validRows.Select(r => (int)r.Label).ToArray(), "valid");
        var ev = Trainer.Evaluate(model.Model.Network, model.Model.Weights, valid, Loss.CrossEntropy, 4096);
        Assert.Equal(ev.Loss, model.History[^1].ValidLoss, 12);
        Assert.Equal(ev.Accuracy, model.History[^1].ValidAccuracy, 12);
        Assert.All(model.History, m => Assert.True(double.IsFinite(m.TrainLoss) && double.IsFinite(m.ValidLoss)));
    }

    [Fact]
    public void Fit_refuses_validation_data_of_another_width_naming_the_column()
    {
        var ml = new MLContext(seed: 1);
        var narrow = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new NarrowRow { Features = [i, 1], Label = i % 3 }));
        var e = Assert.Throws<ArgumentException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { Epochs = 1 }).Fit(Keyed(ml, Rows(30, 1)), ml.Transforms.Conversion.MapValueToKey("Label").Fit(narrow).Transform(narrow)));
        Assert.Contains("'Features' has 2 values per row; the training data has 4", e.Message, StringComparison.Ordinal);
    }

    public sealed class NarrowRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    [Fact]
    public void The_model_parameters_hold_the_weights_by_state_dict_name_the_network_and_the_label_values()
    {
        var ml = new MLContext(seed: 2);
        var rows = Rows(60, 8);
        foreach (var r in rows) r.Label += 10;                     // label values 10, 11, 12
        var model = ml.MulticlassClassification.Trainers.Mlp(hiddenSizes: [5], epochs: 1).Fit(Keyed(ml, rows));
        MlpModelParameters p = model.Model;
        Assert.Equal("Linear(4, 5) → ReLU() → Linear(5, 3)", p.Architecture);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], p.Weights.Names);
        Assert.True(p.Weights.TryGetValue("2.weight", out var w2));
        Assert.Equal([5, 3], w2!.ShapeArray());
        Assert.Equal(["10", "11", "12"], p.LabelValues);
        Assert.Equal((4, 3, 0L), (p.Features, p.Classes, p.SkippedRows));
        // The weights are the ones that score: softmax of the network's output.
        var x = rows[0].Features;
        var logits = p.Network.Predict(p.Weights, Tensor.FromArray(x, 1, 4)).ToArray();
        var probabilities = model.PredictProbabilities(x);
        double z = logits.Sum(v => Math.Exp(v - logits.Max()));
        for (int k = 0; k < 3; k++) Assert.Equal(Math.Exp(logits[k] - logits.Max()) / z, probabilities[k], 5);
    }

    [Theory]
    [InlineData(1L << 20)]   // read into memory
    [InlineData(0L)]         // streamed every epoch
    public void Rows_with_a_missing_feature_or_label_are_skipped_counted_and_logged_and_train_like_the_rows_without_them(long maxInMemoryBytes)
    {
        var spoiled = Rows(100, 9, missing: 6);
        var clean = spoiled.Where(r => !Spoiled(r)).ToArray();
        Assert.Equal(94, clean.Length);
        MlpTransformer Train(Row[] rows, List<string> log)
        {
            var ml = new MLContext(seed: 3);
            ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) log.Add(e.Message); };
            var options = new MlpTrainerOptions { HiddenSizes = [6], Epochs = 2, BatchSize = 8, Seed = 4, MaxInMemoryBytes = maxInMemoryBytes, ShufflePoolRows = 1 };
            return ml.MulticlassClassification.Trainers.Mlp(options).Fit(Keyed(ml, rows, clean));
        }
        var log = new List<string>();
        var fromSpoiled = Train(spoiled, log);
        var fromClean = Train(clean, []);
        Assert.Equal(6, fromSpoiled.Model.SkippedRows);
        Assert.Equal(0, fromClean.Model.SkippedRows);
        Assert.Contains(log, l => l.Contains("skipped 6 training rows with a missing feature or label", StringComparison.Ordinal));
        Assert.True(fromSpoiled.Model.Weights.BitwiseEquals(fromClean.Model.Weights));
    }

    [Fact]
    public void With_skipping_off_a_missing_value_is_an_error_naming_the_column_and_row()
    {
        var ml = new MLContext(seed: 3);
        var options = new MlpTrainerOptions { HiddenSizes = [6], Epochs = 1, SkipRowsWithMissingValues = false };
        var e = Assert.Throws<InvalidDataException>(() => ml.MulticlassClassification.Trainers.Mlp(options).Fit(Keyed(ml, Rows(40, 9, missing: 1))));
        Assert.Contains("Features column 'Features' row 3", e.Message, StringComparison.Ordinal);
        var labelRows = Rows(40, 9, missing: 2);
        labelRows[3].Features[0] = 1;                              // only row 10's label is missing
        var l = Assert.Throws<InvalidDataException>(() => ml.MulticlassClassification.Trainers.Mlp(options).Fit(Keyed(ml, labelRows)));
        Assert.Contains("Label column 'Label' row 10: key 0", l.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Infinite_features_are_an_error_even_when_skipping_missing_values()
    {
        var ml = new MLContext(seed: 3);
        var rows = Rows(40, 9);
        rows[5].Features[2] = float.PositiveInfinity;
        var e = Assert.Throws<InvalidDataException>(() => ml.MulticlassClassification.Trainers.Mlp(hiddenSizes: [4], epochs: 1).Fit(Keyed(ml, rows)));
        Assert.Contains("Features column 'Features' row 5: feature 2 is", e.Message, StringComparison.Ordinal);
    }
}
