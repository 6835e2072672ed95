using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Training;

/// <summary>
/// Everything training needs to continue exactly where it stopped: parameters, buffers (running statistics), optimizer
/// state, the position in the batch stream (epoch and step, which with the seed fix the next batch and the next dropout
/// masks), the epoch's running sums, and the history.
/// A checkpoint is this record on disk.
/// </summary>
/// <param name="Parameters">The model's parameters.</param>
/// <param name="OptimizerState">The optimizer's state.</param>
/// <param name="Epoch">Completed epochs.</param>
/// <param name="Step">Batches done in the current (incomplete) epoch; 0 at an epoch boundary.</param>
/// <param name="EpochLossSum">Σ batch loss × batch rows so far in the current epoch.</param>
/// <param name="EpochCorrect">Rows classified correctly so far in the current epoch.</param>
/// <param name="EpochRows">Rows seen so far in the current epoch.</param>
/// <param name="History">One entry per completed epoch.</param>
public sealed record TrainingState(
    Parameters Parameters, OptimizerState OptimizerState, int Epoch, int Step,
    double EpochLossSum, long EpochCorrect, long EpochRows, IReadOnlyList<EpochMetrics> History)
{
    /// <summary>The model's buffers, e.g. BatchNorm1d's running statistics (<see cref="Model.InitBuffers"/> at the start); empty for a model without any.</summary>
    public Buffers Buffers { get; init; } = Buffers.Empty;

    /// <summary>
    /// The state before any training: parameters from <see cref="Model.Init"/> with <paramref name="seed"/>, the initial
    /// buffers (<see cref="Model.InitBuffers"/>) and a fresh optimizer state.
    /// </summary>
    public static TrainingState Start(Model model, IOptimizer optimizer, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var p = model.Init(seed);
        return new TrainingState(p, optimizer.Init(p), 0, 0, 0, 0, 0, []) { Buffers = model.InitBuffers() };
    }
}
