namespace Mlp.Data;

/// <summary>
/// Examples as an (n, features) float32 tensor with one integer class label per row.
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps features and labels.</summary>
    /// <param name="x">(n, features) inputs.</param>
    /// <param name="labels">n class labels, each ≥ 0.</param>
    /// <param name="source">Where the data came from (a path or a description), used in messages.</param>
    /// <exception cref="ArgumentException">x is not 2-D, the counts disagree, or a label is negative or not below <see cref="DataLimits.MaxClasses"/>.</exception>
    public Dataset(Tensor x, int[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (x.Rank != 2)
            throw new ArgumentException($"{source}: features must be (n, features); got {Tensor.ShapeString(x.Shape)}.", nameof(x));
        if (x.Shape[0] != labels.Length)
            throw new ArgumentException($"{source}: {x.Shape[0]} feature rows but {labels.Length} labels.", nameof(labels));
        int maxClasses = DataLimits.MaxClasses;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"{source}: label {i} is negative ({labels[i]}).", nameof(labels));
            if (labels[i] >= maxClasses)
                throw new ArgumentException($"{source}: label {i} is {labels[i]}; labels must be below {maxClasses} ({DataLimits.MaxClassesHelp}).", nameof(labels));
        }
        X = x;
        Labels = (int[])labels.Clone();
        Source = source;
        Classes = labels.Length == 0 ? 0 : labels.Max() + 1;
    }

    /// <summary>(n, features) inputs.</summary>
    public Tensor X { get; }

    /// <summary>One class label per row.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Where the data came from.</summary>
    public string Source { get; }

    /// <summary>The number of rows, n.</summary>
    public int Count => X.Shape[0];

    /// <summary>The number of features per row, m (784 for MNIST).</summary>
    public int Features => X.Shape[1];

    /// <summary>The largest label plus one, c (the lesson's <c>y_train.max() + 1</c>).</summary>
    public int Classes { get; }

    /// <summary>The labels as floats, (n) — the lesson's <c>y_train.float()</c>, the MSE target.</summary>
    public Tensor LabelsAsFloat() => Tensor.Create([Count], d => { for (int i = 0; i < d.Length; i++) d[i] = Labels[i]; });

    /// <summary>Rows <paramref name="start"/>…<paramref name="start"/>+<paramref name="count"/>−1 as a new dataset.</summary>
    public Dataset Slice(int start, int count, string source) =>
        new(X.Rows(start, count), Labels.Skip(start).Take(count).ToArray(), source);

    /// <summary>The same labels with new features (e.g. normalized), same row count.</summary>
    public Dataset WithFeatures(Tensor x) => new(x, Labels.ToArray(), Source);

    /// <inheritdoc/>
    public override string ToString() => $"Dataset {Source}: {Count}×{Features}, {Classes} classes";
}

/// <summary>Train, validation and (if the source has one) test splits.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Valid">Validation rows.</param>
/// <param name="Test">Test rows, or null when the source has none.</param>
/// <param name="Description">How the splits were made, e.g. "train = first 50000 of train-images, valid = last 10000".</param>
public sealed record DatasetSplits(Dataset Train, Dataset Valid, Dataset? Test, string Description);
