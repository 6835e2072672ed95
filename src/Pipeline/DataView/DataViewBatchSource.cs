using Mlp.Training;

namespace Mlp.DataView;

/// <summary>
/// An <see cref="Microsoft.ML.IDataView"/> too large to hold, as a source for the one training loop
/// (<see cref="Trainer.Fit(Models.Model, Optim.IOptimizer, TrainingState, BatchSource, Data.Dataset?, TrainingOptions, IProgress{TrainingProgress}?, CancellationToken)"/>):
/// each epoch streams the view's rows as batches (<see cref="DataViewBatchReader.ReadBatches"/>), so only one batch and
/// the shuffle pool are in memory. For data that fits, read it with <see cref="DataViewBatchReader.ReadDataset"/> and
/// train on the dataset, whose seeded permutation this cannot reproduce without random access.
/// </summary>
/// <remarks>
/// Epoch e is shuffled with <c>new Random(seed·0x9E3779B9 + e)</c> (through the view's own shuffling when it can, else a
/// pool of rows), so the same seed gives the same batches, and a run resumed mid-epoch skips exactly the batches done.
/// </remarks>
public sealed class DataViewBatchSource : BatchSource
{
    private readonly DataViewBatchReader reader;
    private readonly int shufflePoolRows;

    /// <summary>A source streaming <paramref name="reader"/>'s rows.</summary>
    /// <param name="reader">The view and its columns.</param>
    /// <param name="shufflePoolRows">Rows in the shuffle pool for views that cannot shuffle (1 disables shuffling).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shufflePoolRows"/> is below 1.</exception>
    public DataViewBatchSource(DataViewBatchReader reader, int shufflePoolRows)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(shufflePoolRows, 1);
        this.reader = reader;
        this.shufflePoolRows = shufflePoolRows;
    }

    /// <inheritdoc/>
    public override string Description => $"column '{reader.FeatureColumn}'";

    /// <inheritdoc/>
    public override int? Features => reader.Features;

    /// <inheritdoc/>
    public override int? StepsPerEpoch(int batchSize) =>
        reader.RowCount is { } count ? (int)Math.Min(int.MaxValue, (count + batchSize - 1) / batchSize) : null;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">While reading: a row has non-finite features or a label outside [0, c) (names the column and row).</exception>
    public override IEnumerable<Batch> Epoch(int epoch, int batchSize, ulong seed, int skip)
    {
        var rand = new Random(unchecked((int)(seed * 0x9E3779B9UL) + epoch));
        return reader.ReadBatches(batchSize, rand, shufflePoolRows).Skip(skip).Select(b => new Batch(b.X, b.Labels));
    }
}
