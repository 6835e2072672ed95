using System.Diagnostics;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Training;

/// <summary>
/// The training loop as functions: <c>Step</c> (one batch), <c>Fit</c> (epochs with validation, progress,
/// cancellation) and <c>Evaluate</c>. PyTorch: the usual <c>for epoch … for xb, yb in dl: loss.backward(); opt.step()</c>.
/// </summary>
/// <remarks>
/// Deterministic: the same model, optimizer, start state, data and options give bitwise-identical parameters, and a run
/// resumed from any state <c>Fit</c> returned (or a checkpoint of it) continues exactly as if never stopped.
/// </remarks>
public static class Trainer
{
    /// <summary>
    /// One step on one batch of a model that does not depend on the mode (no Dropout or BatchNorm1d):
    /// <see cref="Model.Gradient(Parameters, Tensor, int[], Loss)"/> (forward, loss and backward on one tape, skipping the
    /// input gradient), then the optimizer's update.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="parameters">Current parameters.</param>
    /// <param name="state">Current optimizer state.</param>
    /// <param name="x">(batch, features) inputs.</param>
    /// <param name="labels">batch labels.</param>
    /// <exception cref="InvalidOperationException">The model depends on the mode: use the overload with buffers and a mode.</exception>
    public static StepResult Step(Model model, IOptimizer optimizer, Loss loss, Parameters parameters, OptimizerState state, Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.DependsOnMode)
            throw new InvalidOperationException($"{model.Spec} has layers that depend on the mode: call Trainer.Step(model, optimizer, loss, parameters, buffers, state, x, labels, mode).");
        return Step(model, optimizer, loss, parameters, Buffers.Empty, state, x, labels, ForwardMode.Train(0));
    }

    /// <summary>
    /// One step on one batch: <see cref="Model.Gradient(Parameters, Buffers, Tensor, int[], Loss, ForwardMode)"/> in
    /// <paramref name="mode"/> (forward, loss and backward on one tape, skipping the input gradient), then the
    /// optimizer's update. The result carries the new parameters, optimizer state and buffers.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="parameters">Current parameters.</param>
    /// <param name="buffers">Current buffers (running statistics).</param>
    /// <param name="state">Current optimizer state.</param>
    /// <param name="x">(batch, features) inputs.</param>
    /// <param name="labels">batch labels.</param>
    /// <param name="mode">Normally <see cref="ForwardMode.Train"/> with this step's seed (<see cref="ForwardMode.ForStep"/>).</param>
    public static StepResult Step(Model model, IOptimizer optimizer, Loss loss, Parameters parameters, Buffers buffers, OptimizerState state,
                                  Tensor x, int[] labels, ForwardMode mode)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(labels);
        // With built-in layers, loss and optimizer nothing keeps an array of the step but what it returns, so every other
        // array it makes (activations, gradients, the loss's probabilities) comes back for the next step as soon as it ends,
        // still in cache, instead of when a collection finds it (Storage.BeginStep). Measured on row (f), Zen 5: memory
        // allocated per epoch 37 → 9 MB (what is left is small objects), gen-0 collections ~15 → 2, GC pauses 3.9 → 1.0 ms,
        // epoch medians 80–81 → 76–78 ms.
        bool recorded = RecyclesArrays(model, optimizer, loss) && Storage.BeginStep();
        try
        {
            var g = model.Gradient(parameters, buffers, x, labels, loss, mode);
            var next = optimizer.Step(parameters, g.Gradients, state);
            var result = new StepResult(next.Parameters, next.State, g.Loss, CountCorrect(g.Output, labels, 0)) { Buffers = g.Buffers };
            if (recorded) Storage.EndStep(Returned(result));
            else if (KeepsNothing(model, optimizer))
                // A user's loss might keep what it was given, but never sees the gradients: those alone go back.
                for (int i = 0; i < g.Gradients.Count; i++) Storage.Release(g.Gradients[i].Value.Data);
            return result;
        }
        catch
        {
            if (recorded) Storage.AbandonStep();
            throw;
        }
    }

    // The arrays a step hands back: its new parameters, optimizer buffers and model buffers.
    private static List<float[]> Returned(StepResult r)
    {
        var keep = new List<float[]>(r.Parameters.Count + r.Buffers.Tensors.Count);
        for (int i = 0; i < r.Parameters.Count; i++) keep.Add(r.Parameters[i].Value.Data);
        foreach (var (_, buffer) in r.State.Buffers)
            for (int i = 0; i < buffer.Count; i++) keep.Add(buffer[i].Value.Data);
        for (int i = 0; i < r.Buffers.Tensors.Count; i++) keep.Add(r.Buffers.Tensors[i].Value.Data);
        return keep;
    }

    // Whether nothing of a step outlives it but what it returns (built-in layers, loss and optimizer): then the step's own
    // arrays, and the batches and replaced states the loop alone holds, are given back at once.
    private static bool RecyclesArrays(Model model, IOptimizer optimizer, Loss loss) =>
        KeepsNothing(model, optimizer) && (ReferenceEquals(loss, Loss.CrossEntropy) || ReferenceEquals(loss, Loss.Mse));

    /// <summary>
    /// Trains from <paramref name="start"/> until <see cref="TrainingOptions.Epochs"/> epochs are complete on the rows of
    /// <paramref name="train"/> in seeded shuffled batches (<see cref="BatchSource.From(Dataset)"/>).
    /// </summary>
    /// <inheritdoc cref="Fit(Model, IOptimizer, TrainingState, BatchSource, Dataset?, TrainingOptions, IProgress{TrainingProgress}?, CancellationToken)"/>
    public static TrainingResult Fit(Model model, IOptimizer optimizer, TrainingState start, Dataset train, Dataset? valid,
                                     TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(model, optimizer, start, BatchSource.From(train), valid, options, progress, cancellationToken);
    }

    /// <summary>
    /// The training loop: trains from <paramref name="start"/> until <see cref="TrainingOptions.Epochs"/> epochs are
    /// complete, each epoch the batches <paramref name="train"/> gives for (epoch, batch size, seed), validation after
    /// each epoch, a report to <paramref name="progress"/> after each step. Every source (a dataset, a streamed view, a
    /// user's batches) goes through this one loop with every option.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer (its state is in <paramref name="start"/>).</param>
    /// <param name="start">Where to start: <see cref="TrainingState.Start"/>, or a state returned earlier or loaded from a checkpoint.</param>
    /// <param name="train">The training batches.</param>
    /// <param name="valid">Validation rows, or null to skip validation.</param>
    /// <param name="options">
    /// Epochs, batch size, seed, loss, learning-rate schedule (applied to <paramref name="optimizer"/>'s rate each epoch).
    /// Each step runs the model in training mode with <see cref="ForwardMode.ForStep"/>(seed, epoch, step), so dropout
    /// masks are the same in a resumed run; validation runs in evaluation mode.
    /// </param>
    /// <param name="progress">Optional: receives a report after every step and every epoch. Called on the training thread.</param>
    /// <param name="cancellationToken">Optional: checked before every step: when cancelled, training stops after the step in flight and the result has <c>Cancelled = true</c> and the state to resume from.</param>
    /// <exception cref="TrainingDivergedException">
    /// A batch loss, the validation loss (<see cref="NonFiniteLossException"/>) or a parameter became NaN or infinite; the
    /// message names the epoch, the step and the first non-finite parameter. No non-finite state reaches <paramref name="progress"/>.
    /// </exception>
    /// <exception cref="ArgumentException">The data does not fit the model, or the start state does not match it.</exception>
    public static TrainingResult Fit(Model model, IOptimizer optimizer, TrainingState start, BatchSource train, Dataset? valid,
                                     TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.InputFeatures is { } f && train.Features is { } tf && f != tf)
            throw new ArgumentException($"The model takes {f} features but {train.Description} has {tf}.", nameof(train));

        int bs = options.BatchSize;
        int? known = train.StepsPerEpoch(bs);             // null: found by reading the epoch
        if (start.Step < 0 || (known is { } k && start.Step >= k))
            throw new ArgumentException($"The start state is at step {start.Step} of an epoch, but an epoch has {known} steps of {bs} rows.", nameof(start));
        model.CheckBuffers(start.Buffers);
        var state = start;
        var history = start.History.ToList();

        while (state.Epoch < options.Epochs)
        {
            int epoch = state.Epoch;                       // 0-based, for the shuffle
            double factor = options.Schedule.Factor(epoch, options.Epochs);
            IOptimizer opt = factor == 1.0 ? optimizer : optimizer.WithLearningRate((float)(optimizer.LearningRate * factor));
            var clock = Stopwatch.StartNew();
            long rowsThisRun = 0;
            Parameters p = state.Parameters;
            Buffers bufs = state.Buffers;
            OptimizerState os = state.OptimizerState;
            // Arrays this loop alone holds go back to the pool as soon as they are replaced (Storage.Release): the batch its
            // own built-in source gathered or streamed for it (BatchSource.MakesFreshBatches; never a batch a user's source
            // yields, which the user may keep), and parameters and optimizer buffers made by a step of this epoch, which nobody
            // else ever sees (a state is handed out only at an epoch's end). Only with built-in layers, loss and optimizer,
            // which keep nothing of a step: a user's layer or optimizer might.
            bool release = RecyclesArrays(model, opt, options.Loss);
            bool handedOut = true; // p and os came from a state the caller holds
            double lossSum = state.EpochLossSum;
            long correct = state.EpochCorrect, rows = state.EpochRows;
            int s = state.Step;
            using (var batches = train.Epoch(epoch, bs, options.Seed, state.Step).GetEnumerator())
            {
                while (batches.MoveNext())
                {
                    if (cancellationToken.IsCancellationRequested)
                        return new TrainingResult(new TrainingState(p, os, epoch, s, lossSum, correct, rows, history.ToArray()) { Buffers = bufs }, Cancelled: true);
                    var batch = batches.Current;
                    var r = Step(model, opt, options.Loss, p, bufs, os, batch.X, batch.LabelArray, ForwardMode.ForStep(options.Seed, epoch, s));
                    if (release)
                    {
                        if (train.MakesFreshBatches) Storage.Release(batch.X.Data);
                        if (!handedOut)
                        {
                            ReleaseReplaced(p, r.Parameters);
                            for (int i = 0; i < os.Buffers.Count; i++) ReleaseReplaced(os.Buffers[i].Value, r.State.Buffer(os.Buffers[i].Key));
                        }
                    }
                    if (!float.IsFinite(r.Loss))
                        throw new NonFiniteLossException(r.Loss, epoch + 1, s + 1, known ?? s + 1, opt.Name);
                    if (FirstNonFinite(r.Parameters) is { } bad)
                        throw new TrainingDivergedException($"parameter '{bad.Name}'", bad.Value, epoch + 1, s + 1, known ?? s + 1, opt.Name, bad.Name);
                    if (FirstNonFinite(r.Buffers.Tensors) is { } badBuffer)
                        throw new TrainingDivergedException($"buffer '{badBuffer.Name}'", badBuffer.Value, epoch + 1, s + 1, known ?? s + 1, opt.Name, badBuffer.Name);
                    p = r.Parameters;
                    bufs = r.Buffers;
                    os = r.State;
                    handedOut = false;
                    s++;
                    lossSum += (double)r.Loss * batch.Count;
                    correct += r.Correct;
                    rows += batch.Count;
                    rowsThisRun += batch.Count;
                    progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, s, known ?? 0, r.Loss, rowsThisRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), null, null));
                }
            }
            if (rows == 0) throw new ArgumentException($"{train.Description}: the training set is empty.", nameof(train));
            double seconds = clock.Elapsed.TotalSeconds;
            var v = valid is null ? null : Evaluate(model, p, bufs, valid, options.Loss, options.EvaluationBatchSize);
            double vLoss = v?.Loss ?? double.NaN, vAcc = v?.Accuracy ?? double.NaN;
            if (v is not null && v.Count > 0 && !double.IsFinite(v.Loss))
                throw new NonFiniteLossException("the validation loss", v.Loss, epoch + 1, s, s, opt.Name);
            var metrics = new EpochMetrics(epoch + 1, lossSum / rows, (double)correct / rows, vLoss, vAcc, seconds);
            history.Add(metrics);
            state = new TrainingState(p, os, epoch + 1, 0, 0, 0, 0, history.ToArray()) { Buffers = bufs };
            progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, s, s, metrics.TrainLoss, rowsThisRun / Math.Max(seconds, 1e-9), metrics, state));
        }
        return new TrainingResult(state, Cancelled: false);
    }

    /// <summary>Loss, accuracy, per-class accuracy and confusion matrix of a model without buffers on <paramref name="data"/>, in evaluation mode.</summary>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="data">The rows to evaluate.</param>
    /// <param name="loss">The loss to report.</param>
    /// <param name="batchSize">Rows per forward pass (memory only; the result does not depend on it beyond float rounding of the mean).</param>
    public static Evaluation Evaluate(Model model, Parameters parameters, Dataset data, Loss loss, int batchSize) =>
        Evaluate(model, parameters, Buffers.Empty, data, loss, batchSize);

    /// <summary>Loss, accuracy, per-class accuracy and confusion matrix of the model on <paramref name="data"/>, in evaluation mode with <paramref name="buffers"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="buffers">Its buffers (running statistics), e.g. <c>result.State.Buffers</c> or <c>saved.Buffers</c>.</param>
    /// <param name="data">The rows to evaluate.</param>
    /// <param name="loss">The loss to report.</param>
    /// <param name="batchSize">Rows per forward pass (memory only; the result does not depend on it beyond float rounding of the mean).</param>
    public static Evaluation Evaluate(Model model, Parameters parameters, Buffers buffers, Dataset data, Loss loss, int batchSize)
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
            Tensor output = model.Predict(parameters, buffers, data.X.Rows(start, len));
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

    // Whether a step keeps nothing of its arrays beyond what it returns: built-in layers keep no input or gradient, the built-in
    // optimizers read the gradients without keeping them. Then the training loop may give those arrays back (Storage.Release).
    private static bool KeepsNothing(Model model, IOptimizer optimizer) => model.AllBuiltIn && optimizer is Sgd or Adam;

    // Gives back the arrays of `old` that `next` does not reuse (see Fit).
    private static void ReleaseReplaced(Parameters old, Parameters next)
    {
        for (int i = 0; i < old.Count; i++)
            if (!ReferenceEquals(old[i].Value.Data, next[i].Value.Data)) Storage.Release(old[i].Value.Data);
    }

    // The first parameter (in state_dict order) holding a NaN or an infinity, with that value.
    private static (string Name, float Value)? FirstNonFinite(Parameters parameters)
    {
        foreach (var (name, value) in parameters)
            if (Kernels.Finite.IndexOfNonFinite(value.AsSpan()) is var i and >= 0) return (name, value.AsSpan()[i]);
        return null;
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
