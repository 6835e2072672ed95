namespace Mlp.Training;

/// <summary>A progress report from <c>Trainer.Fit</c>, sent after every step and at the end of every epoch.</summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">The last epoch of this run.</param>
/// <param name="Step">Batches done in this epoch.</param>
/// <param name="StepsPerEpoch">Batches per epoch.</param>
/// <param name="Loss">The latest batch's loss.</param>
/// <param name="ExamplesPerSecond">Training throughput over this epoch so far.</param>
/// <param name="Completed">Set on the report that ends an epoch (after validation), else null.</param>
/// <param name="State">Set with <paramref name="Completed"/>: the state at the end of the epoch, e.g. to write a checkpoint.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double ExamplesPerSecond,
                                      EpochMetrics? Completed, TrainingState? State);
