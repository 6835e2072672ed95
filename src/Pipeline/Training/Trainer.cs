using System.Diagnostics;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Training;

/// <summary>
/// The training loop as functions: <see cref="Step"/> (one batch), <see cref="Fit"/> (epochs with validation, progress,
/// cancellation) and <see cref="Evaluate"/>. PyTorch: the usual <c>for epoch … for xb, yb in dl: loss.backward(); opt.step()</c>.
/// </summary>
/// <remarks>
/// Deterministic: the same model, optimizer, start state, data and options give bitwise-identical parameters, and a run
/// resumed from any state <see cref="Fit"/> returned (or a checkpoint of it) continues exactly as if never stopped.
/// </remarks>
public static class Trainer
{
    /// <summary>
    /// One step on one batch: forward, loss, backward (through the tape, skipping the input gradient), optimizer update.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="parameters">Current parameters.</param>
    /// <param name="state">Current optimizer state.</param>
    /// <param name="x">(batch, features) inputs.</param>
    /// <param name="labels">batch labels.</param>
    public static StepResult Step(Model model, IOptimizer optimizer, Loss loss, Parameters parameters, OptimizerState state, Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(labels);
        var (output, back) = model.Forward(parameters, x, needInputGradient: false);
        var (l, lossBack) = loss.Forward(output, labels);
        Parameters grads = back(lossBack(Tensor.Ones())).Parameters;   // dl/dl = 1
        var next = optimizer.Step(parameters, grads, state);
        return new StepResult(next.Parameters, next.State, l.ToScalar(), CountCorrect(output, labels, 0));
    }

    /// <summary>
    /// Trains from <paramref name="start"/> until <see cref="TrainingOptions.Epochs"/> epochs are complete: seeded shuffled
    /// batches each epoch, validation after each epoch, a report to <paramref name="progress"/> after each step.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer (its state is in <paramref name="start"/>).</param>
    /// <param name="start">Where to start: <see cref="TrainingState.Start"/>, or a state returned earlier or loaded from a checkpoint.</param>
    /// <param name="train">Training rows.</param>
    /// <param name="valid">Validation rows, or null to skip validation.</param>
    /// <param name="options">Epochs, batch size, seed, loss, learning-rate schedule (applied to <paramref name="optimizer"/>'s rate each epoch).</param>
    /// <param name="progress">Receives a report after every step and every epoch; may be null. Called on the training thread.</param>
    /// <param name="cancellationToken">Checked before every step: when cancelled, training stops after the step in flight and the result has <c>Cancelled = true</c> and the state to resume from.</param>
    /// <exception cref="NonFiniteLossException">A batch loss is NaN or infinite; the message names the epoch and step.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model, or the start state does not match it.</exception>
    public static TrainingResult Fit(Model model, IOptimizer optimizer, TrainingState start, Dataset train, Dataset? valid,
                                     TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException($"{train.Source}: the training set is empty.", nameof(train));
        if (model.InputFeatures is { } f && f != train.Features)
            throw new ArgumentException($"The model takes {f} features but {train.Source} has {train.Features}.", nameof(train));

        int n = train.Count, bs = options.BatchSize;
        int steps = Batches.PerEpoch(n, bs);
        if (start.Step < 0 || start.Step >= steps)
            throw new ArgumentException($"The start state is at step {start.Step} of an epoch, but an epoch has {steps} steps of {bs} rows.", nameof(start));
        int[] labels = train.Labels.ToArray();
        var state = start;
        var history = start.History.ToList();

        while (state.Epoch < options.Epochs)
        {
            int epoch = state.Epoch;                       // 0-based, for the shuffle
            int[][] batches = Batches.ForEpoch(n, bs, options.Seed, epoch);
            double factor = options.Schedule.Factor(epoch, options.Epochs);
            IOptimizer opt = factor == 1.0 ? optimizer : optimizer.WithLearningRate((float)(optimizer.LearningRate * factor));
            var clock = Stopwatch.StartNew();
            long rowsThisRun = 0;
            Parameters p = state.Parameters;
            OptimizerState os = state.OptimizerState;
            double lossSum = state.EpochLossSum;
            long correct = state.EpochCorrect, rows = state.EpochRows;
            for (int s = state.Step; s < steps; s++)
            {
                if (cancellationToken.IsCancellationRequested)
                    return new TrainingResult(new TrainingState(p, os, epoch, s, lossSum, correct, rows, history.ToArray()), Cancelled: true);
                int[] idx = batches[s];
                var batchLabels = new int[idx.Length];
                for (int i = 0; i < idx.Length; i++) batchLabels[i] = labels[idx[i]];
                var r = Step(model, opt, options.Loss, p, os, train.X.SelectRows(idx), batchLabels);
                if (!float.IsFinite(r.Loss))
                    throw new NonFiniteLossException(r.Loss, epoch + 1, s + 1, steps, opt.Name);
                p = r.Parameters;
                os = r.State;
                lossSum += (double)r.Loss * idx.Length;
                correct += r.Correct;
                rows += idx.Length;
                rowsThisRun += idx.Length;
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, s + 1, steps, r.Loss, rowsThisRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), null, null));
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var v = valid is null ? null : Evaluate(model, p, valid, options.Loss, options.EvaluationBatchSize);
            double vLoss = v?.Loss ?? double.NaN, vAcc = v?.Accuracy ?? double.NaN;
            var metrics = new EpochMetrics(epoch + 1, lossSum / rows, (double)correct / rows, vLoss, vAcc, seconds);
            history.Add(metrics);
            state = new TrainingState(p, os, epoch + 1, 0, 0, 0, 0, history.ToArray());
            progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, steps, steps, metrics.TrainLoss, rowsThisRun / Math.Max(seconds, 1e-9), metrics, state));
        }
        return new TrainingResult(state, Cancelled: false);
    }

    /// <summary>Loss, accuracy, per-class accuracy and confusion matrix of the model on <paramref name="data"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="data">The rows to evaluate.</param>
    /// <param name="loss">The loss to report.</param>
    /// <param name="batchSize">Rows per forward pass (memory only; the result does not depend on it beyond float rounding of the mean).</param>
    public static Evaluation Evaluate(Model model, Parameters parameters, Dataset data, Loss loss, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int[] labels = data.Labels.ToArray();
        int classes = Math.Max(data.Classes, 1);
        int[][]? confusion = null;
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int len = Math.Min(batchSize, data.Count - start);
            Tensor output = model.Predict(parameters, data.X.Rows(start, len));
            int[] part = labels.AsSpan(start, len).ToArray();
            lossSum += (double)loss.Forward(output, part).Output.ToScalar() * len;
            if (confusion is null)
            {
                classes = Math.Max(classes, output.Shape[1]);
                confusion = new int[classes][];
                for (int c = 0; c < classes; c++) confusion[c] = new int[classes];
            }
            int[] pred = Predictions(output);
            for (int i = 0; i < len; i++)
            {
                if (pred[i] == part[i]) correct++;
                if ((uint)pred[i] < (uint)classes && (uint)part[i] < (uint)classes) confusion[part[i]][pred[i]]++;
            }
        }
        confusion ??= [];
        var perClass = new double[confusion.Length];
        for (int c = 0; c < perClass.Length; c++)
        {
            long total = 0;
            foreach (int v in confusion[c]) total += v;
            perClass[c] = total == 0 ? double.NaN : (double)confusion[c][c] / total;
        }
        int count = data.Count;
        return new Evaluation(count, count == 0 ? double.NaN : lossSum / count, count == 0 ? double.NaN : (double)correct / count, perClass, confusion);
    }

    // A 1-column output (the lesson's regression on the label) predicts the rounded value; otherwise the argmax.
    private static int[] Predictions(Tensor output)
    {
        if (output.Rank == 2 && output.Shape[1] == 1)
        {
            var r = new int[output.Shape[0]];
            var d = output.AsSpan();
            for (int i = 0; i < r.Length; i++) r[i] = (int)MathF.Round(d[i]);
            return r;
        }
        return output.ArgMaxRows();
    }

    private static int CountCorrect(Tensor output, int[] labels, int offset)
    {
        int[] pred = Predictions(output);
        int c = 0;
        for (int i = 0; i < pred.Length; i++) if (pred[i] == labels[offset + i]) c++;
        return c;
    }
}
