namespace Mlp.Training;

/// <summary>How <see cref="Trainer.Fit"/> trains.</summary>
/// <param name="Epochs">Train until this many epochs are complete (counting epochs done before a resume).</param>
/// <param name="BatchSize">Rows per batch (PyTorch: <c>batch_size</c>); the last batch of an epoch may be smaller.</param>
/// <param name="Seed">The shuffle seed (see <see cref="Batches"/>).</param>
public sealed record TrainingOptions(int Epochs, int BatchSize, ulong Seed)
{
    /// <summary>The loss to minimize (default cross-entropy).</summary>
    public Loss Loss { get; init; } = Loss.CrossEntropy;

    /// <summary>How the learning rate changes per epoch (default constant).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Rows per forward pass when evaluating the validation set (default 4096).</summary>
    public int EvaluationBatchSize { get; init; } = 4096;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EvaluationBatchSize, nameof(EvaluationBatchSize));
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Schedule.Factor(0, Math.Max(1, Epochs));
    }
}
