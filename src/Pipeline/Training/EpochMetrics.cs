namespace Mlp.Training;

/// <summary>What one epoch of training achieved: one entry of the history.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">The mean training loss over the epoch's batches, weighted by batch size.</param>
/// <param name="TrainAccuracy">The fraction of training rows classified correctly during the epoch (as each batch was seen).</param>
/// <param name="ValidLoss">The loss on the validation set after the epoch (NaN without one).</param>
/// <param name="ValidAccuracy">The accuracy on the validation set after the epoch (NaN without one).</param>
/// <param name="Seconds">Wall-clock seconds for the epoch's training steps (not validation).</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValidLoss, double ValidAccuracy, double Seconds);
