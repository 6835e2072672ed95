using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.DataView;

/// <summary>
/// Training from an <see cref="Microsoft.ML.IDataView"/> too large to hold: each epoch streams the view's rows as
/// batches (<see cref="DataViewBatchReader.ReadBatches"/>) into <see cref="Trainer.Step"/>, so only one batch and the
/// shuffle pool are in memory. For data that fits, read it with <see cref="DataViewBatchReader.ReadDataset"/> and use
/// <see cref="Trainer.Fit"/>, whose seeded permutation this cannot reproduce without random access.
/// </summary>
public static class DataViewTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> for <see cref="TrainingOptions.Epochs"/> epochs of streamed batches. Epoch e is
    /// shuffled with <c>new Random(seed + e)</c> (through the view's own shuffling when it can, else a pool of
    /// <paramref name="shufflePoolRows"/> rows), so the same seed gives the same parameters, bit for bit.
    /// </summary>
    /// <param name="model">The model; its input must take <see cref="DataViewBatchReader.Features"/> features.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="start">The start state (<see cref="TrainingState.Start"/>); training resumes at an epoch boundary only.</param>
    /// <param name="data">The streamed training data.</param>
    /// <param name="options">Epochs, batch size, seed, loss (validation and <see cref="TrainingOptions.EvaluationBatchSize"/> are not used).</param>
    /// <param name="shufflePoolRows">Rows in the shuffle pool for views that cannot shuffle (1 disables shuffling).</param>
    /// <param name="progress">Receives a report after every step and epoch; may be null.</param>
    /// <param name="cancellationToken">Checked before every step; when cancelled, the result has <c>Cancelled = true</c>.</param>
    /// <exception cref="NonFiniteLossException">A batch loss is NaN or infinite.</exception>
    /// <exception cref="InvalidDataException">A row has non-finite features or a label outside [0, c) (names the column and row).</exception>
    /// <exception cref="ArgumentException">The view is empty, the start state is mid-epoch, or the model does not take the view's features.</exception>
    public static TrainingResult Fit(Model model, IOptimizer optimizer, TrainingState start, DataViewBatchReader data, TrainingOptions options,
                                     int shufflePoolRows, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs, nameof(options.Epochs));
        if (start.Step != 0) throw new ArgumentException($"Streamed training resumes only at an epoch boundary; the start state is at step {start.Step}.", nameof(start));
        if (model.InputFeatures is { } f && f != data.Features)
            throw new ArgumentException($"The model takes {f} features but column '{data.FeatureColumn}' has {data.Features}.", nameof(data));
        // Steps per epoch, when the view knows its length (0 otherwise: a stream's length is found by reading it).
        int stepsPerEpoch = data.RowCount is { } count ? (int)Math.Min(int.MaxValue, (count + options.BatchSize - 1) / options.BatchSize) : 0;
        var state = start;
        var history = start.History.ToList();
        while (state.Epoch < options.Epochs)
        {
            int epoch = state.Epoch;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Parameters p = state.Parameters;
            OptimizerState os = state.OptimizerState;
            double lossSum = 0;
            long correct = 0, rows = 0;
            int step = 0;
            var rand = new Random(unchecked((int)(options.Seed * 0x9E3779B9UL) + epoch));
            foreach (var batch in data.ReadBatches(options.BatchSize, rand, shufflePoolRows))
            {
                if (cancellationToken.IsCancellationRequested)
                    return new TrainingResult(new TrainingState(state.Parameters, state.OptimizerState, epoch, 0, 0, 0, 0, history.ToArray()), Cancelled: true);
                var r = Trainer.Step(model, optimizer, options.Loss, p, os, batch.X, batch.LabelArray);
                step++;
                if (!float.IsFinite(r.Loss))
                    throw new NonFiniteLossException(r.Loss, epoch + 1, step, Math.Max(stepsPerEpoch, step), optimizer.Name);
                (p, os) = (r.Parameters, r.State);
                lossSum += (double)r.Loss * batch.Count;
                correct += r.Correct;
                rows += batch.Count;
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, step, stepsPerEpoch, r.Loss, rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), null, null));
            }
            if (rows == 0) throw new ArgumentException($"The training view (column '{data.FeatureColumn}') has no rows.", nameof(data));
            var metrics = new EpochMetrics(epoch + 1, lossSum / rows, (double)correct / rows, double.NaN, double.NaN, clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            state = new TrainingState(p, os, epoch + 1, 0, 0, 0, 0, history.ToArray());
            progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, step, step, metrics.TrainLoss, rows / Math.Max(metrics.Seconds, 1e-9), metrics, state));
        }
        return new TrainingResult(state, Cancelled: false);
    }
}
