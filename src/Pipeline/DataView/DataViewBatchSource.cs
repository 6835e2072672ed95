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

    internal override bool MakesFreshBatches => true;

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
        // Each batch's array is read fresh for the training loop alone (the reader takes a new one for the next), so the loop may
        // hand it back to the pool after its step (MakesFreshBatches). Measured (Zen 5, 2 cores; 50000 random rows of 784 streamed through a
        // DatasetDataView, 784→50→10, SGD, batch 64): gen-2 collections 1–2 → 0 an epoch, GC pauses 0.9–2.5 → 0–0.5 ms,
        // epochs 98–106 → 92–100 ms.
        return reader.ReadBatches(batchSize, rand, shufflePoolRows).Skip(skip).Select(b => new Batch(b.X, b.Labels));
    }
}
