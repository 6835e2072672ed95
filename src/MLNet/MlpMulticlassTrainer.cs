using Microsoft.ML;
using Microsoft.ML.Data;
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
/// same options (schedule included).
/// </remarks>
public sealed class MlpMulticlassTrainer : IEstimator<MlpTransformer>
{
    private readonly MlpTrainerOptions _o;

    internal MlpMulticlassTrainer(MlpTrainerOptions options)
    {
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
    }

    /// <summary>The recipe this trainer uses (a copy; changing it has no effect).</summary>
    public MlpTrainerOptions Options => _o.Clone();

    /// <summary>The network this trainer builds for m features and c classes, e.g. <c>Linear(784, 100) → ReLU → Linear(100, 10)</c>.</summary>
    public Model ModelFor(int features, int classes) => Model.Perceptron(features, _o.HiddenSizes, classes);

    /// <summary>The optimizer of the recipe.</summary>
    public IOptimizer CreateOptimizer() => _o.Optimizer == MlpOptimizer.Adam
        ? new Adam(_o.LearningRate)
        : new Sgd(_o.LearningRate) { Momentum = _o.Momentum };

    /// <summary>The recipe's epochs, batch size, seed, schedule, loss and evaluation batch size as Mlp's <see cref="TrainingOptions"/>.</summary>
    public TrainingOptions TrainingOptions => _o.ToTrainingOptions();

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing; the features are not a known-size vector of Single; the label is not a key, UInt32, Int32 or Single; the data has no rows. The message names the column.</exception>
    /// <exception cref="InvalidDataException">A row has non-finite features, a vector of the wrong size, or a label outside the classes (missing key, negative, not whole); the message names the column and row.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a parameter became non-finite (try a smaller learning rate).</exception>
    public MlpTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = DataViewBatchReader.Create(input, new DataViewColumns(_o.FeatureColumnName, _o.LabelColumnName));
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
        var result = Trainer.Fit(model, optimizer, start, source, null, options, null, CancellationToken.None);
        return new MlpTransformer(model, result.State.Parameters, _o.FeatureColumnName, reader.Features, keyValues, result.History);
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
