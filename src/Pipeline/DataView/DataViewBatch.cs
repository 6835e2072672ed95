namespace Mlp.DataView;

/// <summary>One mini-batch read from an <see cref="Microsoft.ML.IDataView"/>: (b, m) features and b class labels in [0, c).</summary>
/// <param name="X">(b, m) features.</param>
/// <param name="Labels">b class indices (0-based; an ML.NET key k is class k − 1).</param>
public sealed record DataViewBatch(Tensor X, int[] Labels);
