using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Training;

/// <summary>The result of one training step (<see cref="Trainer.Step"/>).</summary>
/// <param name="Parameters">The parameters after the update.</param>
/// <param name="State">The optimizer state after the update.</param>
/// <param name="Loss">The batch's loss before the update.</param>
/// <param name="Correct">Rows of the batch whose argmax output equalled the label, before the update.</param>
public sealed record StepResult(Parameters Parameters, OptimizerState State, float Loss, int Correct);
