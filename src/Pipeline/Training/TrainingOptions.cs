namespace Mlp.Training;

/// <summary>How <c>Trainer.Fit</c> trains.</summary>
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

    /// <summary>
    /// A copy with the given fields replaced and every other field kept (C#'s <c>with</c>, for callers without it, such as F#).
    /// </summary>
    /// <param name="loss">The new loss, or null to keep it.</param>
    /// <param name="schedule">The new schedule, or null to keep it.</param>
    /// <param name="evaluationBatchSize">The new evaluation batch size, or null to keep it.</param>
    public TrainingOptions With(Loss? loss = null, LearningRateSchedule? schedule = null, int? evaluationBatchSize = null) => this with
    {
        Loss = loss ?? Loss,
        Schedule = schedule ?? Schedule,
        EvaluationBatchSize = evaluationBatchSize ?? EvaluationBatchSize,
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EvaluationBatchSize, nameof(EvaluationBatchSize));
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Schedule.Validate();
    }
}
