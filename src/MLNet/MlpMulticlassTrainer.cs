using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Mlp.DataView;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.MLNet;

/// <summary>
/// An ML.NET estimator that trains Mlp's multilayer perceptron (cross-entropy, Adam or SGD, seeded mini-batches) on a
/// known-size float vector column and a class-label column, producing an <see cref="MlpTransformer"/>. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.Mlp(options)</c>. PyTorch: the usual training loop over an
/// <c>nn.Sequential</c> of Linear and ReLU layers.
/// </summary>
/// <remarks>
/// Training uses Mlp's own loop (<c>Trainer.Fit</c>): data whose features fit in
/// <see cref="MlpTrainerOptions.MaxInMemoryBytes"/> is read once and trained exactly as the same rows in a <c>Dataset</c>
/// would be; larger data is streamed by cursor each epoch (<see cref="DataViewBatchSource"/>), through the same loop with the
/// same options (schedule included). As with ML.NET's trainers, the MLContext drives it: a null
/// <see cref="MlpTrainerOptions.Seed"/> takes the context's seeded random, each epoch writes a line to
/// <c>mlContext.Log</c>, and <see cref="MlpCatalogExtensions.CancelExecution"/> stops training after the step in flight.
/// </remarks>
public sealed class MlpMulticlassTrainer : IEstimator<MlpTransformer>
{
    private readonly MlpTrainerOptions _o;
    private readonly IHost _host;
    private readonly int _seed;
    private readonly Model? _spec;

    internal MlpMulticlassTrainer(IHostEnvironment environment, MlpTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        if (options.HiddenSizes is null) throw new ArgumentException("HiddenSizes is null; use [] for no hidden layer.", nameof(options));
        _o = options.Clone();
        if (string.IsNullOrEmpty(_o.FeatureColumnName) || string.IsNullOrEmpty(_o.LabelColumnName))
            throw new ArgumentException("FeatureColumnName and LabelColumnName must be non-empty.", nameof(options));
        foreach (int h in _o.HiddenSizes)
            if (h <= 0) throw new ArgumentException($"HiddenSizes must be positive; got [{string.Join(", ", _o.HiddenSizes)}].", nameof(options));
        if (_o.Epochs < 0) throw new ArgumentException($"Epochs must be ≥ 0; got {_o.Epochs}.", nameof(options));
        if (_o.BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive; got {_o.BatchSize}.", nameof(options));
        if (!(_o.LearningRate > 0) || !float.IsFinite(_o.LearningRate)) throw new ArgumentException($"LearningRate must be positive and finite; got {_o.LearningRate}.", nameof(options));
        if (_o.MaxInMemoryBytes < 0) throw new ArgumentException($"MaxInMemoryBytes must be ≥ 0; got {_o.MaxInMemoryBytes}.", nameof(options));
        if (_o.ShufflePoolRows < 1) throw new ArgumentException($"ShufflePoolRows must be ≥ 1; got {_o.ShufflePoolRows}.", nameof(options));
        if (_o.EvaluationBatchSize < 1) throw new ArgumentException($"EvaluationBatchSize must be ≥ 1; got {_o.EvaluationBatchSize}.", nameof(options));
        if (_o.Schedule is null || _o.Loss is null) throw new ArgumentException("Schedule and Loss must not be null.", nameof(options));
        if (_o.ModelSpec is { } spec)
        {
            try { _spec = Model.Parse(spec); }
            catch (FormatException e) { throw new ArgumentException($"ModelSpec: {e.Message}", nameof(options), e); }
        }
        _host = environment.Register(nameof(MlpMulticlassTrainer));
        _seed = _o.Seed ?? _host.Rand.Next();   // drawn once: every Fit of this trainer starts from the same seed
    }

    /// <summary>The recipe this trainer uses (a copy; changing it has no effect).</summary>
    public MlpTrainerOptions Options => _o.Clone();

    /// <summary>
    /// The network this trainer builds for m features and c classes, e.g. <c>Linear(784, 100) → ReLU → Linear(100, 10)</c>,
    /// or the <see cref="MlpTrainerOptions.ModelSpec"/> model once checked to take m features and give c outputs.
    /// </summary>
    /// <exception cref="ArgumentException">The spec's model does not fit m features and c classes; the message says which.</exception>
    public Model ModelFor(int features, int classes)
    {
        if (_spec is null) return Model.Perceptron(features, _o.HiddenSizes, classes);
        if (_spec.InputFeatures is { } f && f != features)
            throw new ArgumentException($"ModelSpec: the first layer, {_spec.Layers[0].Name}, takes {f} features but column '{_o.FeatureColumnName}' has {features}.");
        IReadOnlyList<int> last;
        try { last = _spec.Summary(features).Layers[^1].OutputShape; }
        catch (ArgumentException e) { throw new ArgumentException($"ModelSpec: the layers do not fit together: {e.Message}", e); }
        if (last.Count != 2 || last[1] != classes)
            throw new ArgumentException($"ModelSpec: the model ends with [{string.Join(", ", last)}] outputs but the label '{_o.LabelColumnName}' has {classes} classes; end with Linear(…, {classes}).");
        return _spec;
    }

    /// <summary>The optimizer of the recipe.</summary>
    public IOptimizer CreateOptimizer() => _o.Optimizer == MlpOptimizer.Adam
        ? new Adam(_o.LearningRate)
        : new Sgd(_o.LearningRate) { Momentum = _o.Momentum };

    /// <summary>
    /// The recipe's epochs, batch size, seed, schedule, loss and evaluation batch size as Mlp's <see cref="TrainingOptions"/>;
    /// the seed is <see cref="MlpTrainerOptions.Seed"/>, or the one drawn from the MLContext when that is null.
    /// </summary>
    public TrainingOptions TrainingOptions => _o.ToTrainingOptions(_seed);

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing; the features are not a known-size vector of Single; the label is not a key, UInt32, Int32 or Single; the data has no rows. The message names the column.</exception>
    /// <exception cref="InvalidDataException">A row has infinite features, a vector of the wrong size, or a label outside the classes (negative, not whole), or (with <see cref="MlpTrainerOptions.SkipRowsWithMissingValues"/> false) a missing value; the message names the column and row.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a parameter became non-finite (try a smaller learning rate).</exception>
    /// <exception cref="OperationCanceledException">The MLContext's execution was cancelled (<see cref="MlpCatalogExtensions.CancelExecution"/>).</exception>
    public MlpTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains on <paramref name="trainData"/>, evaluating on <paramref name="validationData"/> after every epoch (as ML.NET's
    /// <c>Fit(trainData, validationData)</c>): the validation loss and accuracy go to <c>mlContext.Log</c>,
    /// <see cref="MlpTrainerOptions.EpochCompleted"/> and the transformer's <see cref="MlpTransformer.History"/>.
    /// The validation rows are read into memory once.
    /// </summary>
    /// <param name="trainData">The training rows.</param>
    /// <param name="validationData">Rows with the same columns, or null for none.</param>
    /// <inheritdoc cref="Fit(IDataView)"/>
    public MlpTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var input = trainData;
        if (MlNetHost.IsCanceled(_host)) throw Cancelled("before training started");
        var columns = new DataViewColumns(_o.FeatureColumnName, _o.LabelColumnName);
        var reader = DataViewBatchReader.Create(input, columns, _o.SkipRowsWithMissingValues);
        var labelColumn = input.Schema[_o.LabelColumnName];
        var keyValues = labelColumn.Type is KeyDataViewType
            ? LabelKeyValues.FromColumn(labelColumn, reader.Classes) ?? LabelKeyValues.Indices(reader.Classes)
            : LabelKeyValues.Indices(reader.Classes);
        var model = ModelFor(reader.Features, reader.Classes);
        var optimizer = CreateOptimizer();
        var options = TrainingOptions;
        var start = TrainingState.Start(model, optimizer, options.Seed);
        // Data that fits the budget is read once and trained exactly as Trainer.Fit trains a Dataset; a view of unknown
        // length is read until it is known to fit (or not). Anything larger is streamed each epoch.
        long maxRows = _o.MaxInMemoryBytes / ((long)reader.Features * sizeof(float));
        var data = reader.RowCount is { } n && n > maxRows ? null
            : reader.TryReadDataset($"training data (columns '{_o.FeatureColumnName}', '{_o.LabelColumnName}')", maxRows);
        if (data is { Count: 0 }) throw new ArgumentException($"The training data (column '{_o.FeatureColumnName}') has no rows.", nameof(input));
        BatchSource source = data is not null ? BatchSource.From(data) : new DataViewBatchSource(reader, _o.ShufflePoolRows);
        using var ch = _host.Start("Training");
        var valid = validationData is null ? null : ReadValidation(ch, validationData, columns, reader);
        var inv = CultureInfo.InvariantCulture;
        ch.Info(MessageSensitivity.None, string.Create(inv,
            $"Mlp: training {model.Architecture} with {optimizer.Name}, {options.Epochs} epochs of batch {options.BatchSize}, seed {options.Seed}, {options.Schedule} schedule; {(data is null ? "streaming the training data" : $"{data.Count} training rows in memory")}{(valid is null ? "" : $", {valid.Count} validation rows")}."));
        if (data is not null) ReportSkipped(ch, reader.SkippedRows, "training");

        // Progress after every step: CancelExecution is seen after the step in flight; each completed epoch is logged.
        using var cts = new CancellationTokenSource();
        var progress = new Progress(p =>
        {
            if (MlNetHost.IsCanceled(_host)) cts.Cancel();
            if (p.Completed is not { } m) return;
            ch.Info(MessageSensitivity.None, EpochLine(m, options.Epochs));
            _o.EpochCompleted?.Invoke(m);
        });
        var result = Trainer.Fit(model, optimizer, start, source, valid, options, progress, cts.Token);
        if (result.Cancelled)
            throw Cancelled($"at epoch {result.State.Epoch + 1}, after step {result.State.Step}");
        if (data is null) ReportSkipped(ch, reader.SkippedRows, "training");
        return new MlpTransformer(model, result.State.Parameters, _o.FeatureColumnName, reader.Features, keyValues, result.History, reader.SkippedRows,
                                 result.State.Buffers);
    }

    /// <summary>The line logged after each epoch, e.g. <c>Epoch 3/10: train loss 0.4121, accuracy 0.8530; valid loss 0.4402, accuracy 0.8444; 1.2 s</c>.</summary>
    internal static string EpochLine(EpochMetrics m, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch {m.Epoch}/{epochs}: train loss {m.TrainLoss:F4}, accuracy {m.TrainAccuracy:F4}{(double.IsNaN(m.ValidLoss) ? "" : $"; valid loss {m.ValidLoss:F4}, accuracy {m.ValidAccuracy:F4}")}; {m.Seconds:F1} s");

    private static void ReportSkipped(IChannel ch, long skipped, string what)
    {
        if (skipped > 0)
            ch.Warning(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Mlp: skipped {skipped} {what} rows with a missing feature or label (SkipRowsWithMissingValues)."));
    }

    private OperationCanceledException Cancelled(string when) =>
        new($"Mlp training was cancelled (MLContext.CancelExecution) {when}.");

    private Data.Dataset ReadValidation(IChannel ch, IDataView view, DataViewColumns columns, DataViewBatchReader train)
    {
        var reader = DataViewBatchReader.Create(view, columns, _o.SkipRowsWithMissingValues);
        if (reader.Features != train.Features)
            throw new ArgumentException($"The validation data's features column '{columns.Features}' has {reader.Features} values per row; the training data has {train.Features}.", nameof(view));
        bool isKey = view.Schema[columns.Label].Type is KeyDataViewType;
        if (isKey ? reader.Classes != train.Classes : reader.Classes > train.Classes)
            throw new ArgumentException($"The validation data's label column '{columns.Label}' has {reader.Classes} classes; the training data has {train.Classes}.", nameof(view));
        var valid = reader.ReadDataset($"validation data (columns '{columns.Features}', '{columns.Label}')");
        if (valid.Count == 0) throw new ArgumentException($"The validation data (column '{columns.Features}') has no rows.", nameof(view));
        ReportSkipped(ch, reader.SkippedRows, "validation");
        return valid;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>
    /// The schema shape after this trainer's transformer: the input plus <c>Score</c> (vector of Single) and
    /// <c>PredictedLabel</c> (key), checked without data.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong kind; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (Find(inputSchema, _o.FeatureColumnName) is not { } f)
            throw new ArgumentException($"The features column '{_o.FeatureColumnName}' is missing.", nameof(inputSchema));
        if (f.Kind != SchemaShape.Column.VectorKind.Vector || f.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"Features column '{_o.FeatureColumnName}' must be a known-size vector of Single; got {Describe(f)}.", nameof(inputSchema));
        if (Find(inputSchema, _o.LabelColumnName) is not { } l)
            throw new ArgumentException($"The label column '{_o.LabelColumnName}' is missing.", nameof(inputSchema));
        bool labelOk = l.Kind == SchemaShape.Column.VectorKind.Scalar &&
            (l.IsKey || l.ItemType == NumberDataViewType.UInt32 || l.ItemType == NumberDataViewType.Int32 || l.ItemType == NumberDataViewType.Single);
        if (!labelOk)
            throw new ArgumentException($"Label column '{_o.LabelColumnName}' must be a key, UInt32, Int32 or Single; got {Describe(l)}.", nameof(inputSchema));
        // SchemaShape columns cannot be made outside ML.NET, so borrow them from ML.NET's own estimators' shapes:
        // Concatenate gives a Single vector named Score, MapValueToKey a key named PredictedLabel with key values.
        var ml = new MLContext();
        var withScore = ml.Transforms.Concatenate(MlpTransformer.ScoreColumnName, _o.FeatureColumnName).GetOutputSchema(inputSchema);
        var withKey = ml.Transforms.Conversion.MapValueToKey(MlpTransformer.PredictedLabelColumnName, _o.LabelColumnName).GetOutputSchema(withScore);
        return withKey;
    }

    private static string Describe(SchemaShape.Column c) =>
        $"{c.Kind} of {(c.IsKey ? "Key<" + c.ItemType + ">" : c.ItemType.ToString())}";

    private static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        foreach (var c in shape)
            if (c.Name == name) return c;
        return null;
    }
}
