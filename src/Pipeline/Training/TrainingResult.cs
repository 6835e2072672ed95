namespace Mlp.Training;

/// <summary>What <c>Trainer.Fit</c> returns.</summary>
/// <param name="State">The final state; pass it back to <c>Trainer.Fit</c> (or save it as a checkpoint) to continue.</param>
/// <param name="Cancelled">True when cancellation stopped training before the requested epochs were done.</param>
public sealed record TrainingResult(TrainingState State, bool Cancelled)
{
    /// <summary>The history: one entry per completed epoch.</summary>
    public IReadOnlyList<EpochMetrics> History => State.History;
}
