namespace Mlp.DataView;

/// <summary>One mini-batch read from an <see cref="Microsoft.ML.IDataView"/>: (b, m) features and b class labels in [0, c).</summary>
public sealed record DataViewBatch
{
    private readonly int[] labels;

    /// <summary>A batch of <paramref name="x"/> and a copy of <paramref name="labels"/>.</summary>
    /// <param name="x">(b, m) features.</param>
    /// <param name="labels">b class indices (0-based; an ML.NET key k is class k − 1).</param>
    /// <exception cref="ArgumentException">The number of labels is not the number of rows of <paramref name="x"/>.</exception>
    public DataViewBatch(Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (x.Rank != 2 || x.Shape[0] != labels.Length)
            throw new ArgumentException($"A batch needs (b, m) features and b labels; got features {Tensor.ShapeString(x.Shape)} and {labels.Length} labels.", nameof(labels));
        X = x;
        this.labels = (int[])labels.Clone();
        Labels = Array.AsReadOnly(this.labels);
    }

    /// <summary>(b, m) features.</summary>
    public Tensor X { get; }

    /// <summary>b class indices (0-based; an ML.NET key k is class k − 1), read-only.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The number of rows, b.</summary>
    public int Count => labels.Length;

    // The labels without a copy, for the training loop in this assembly (which never writes to them).
    internal int[] LabelArray => labels;

    /// <summary>Splits the batch into its features and labels.</summary>
    public void Deconstruct(out Tensor x, out IReadOnlyList<int> labels) => (x, labels) = (X, Labels);
}
