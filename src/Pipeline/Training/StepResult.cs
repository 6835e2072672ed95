using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Training;

/// <summary>The result of one training step (<c>Trainer.Step</c>).</summary>
/// <param name="Parameters">The parameters after the update.</param>
/// <param name="State">The optimizer state after the update.</param>
/// <param name="Loss">The batch's loss before the update.</param>
/// <param name="Correct">Rows of the batch whose argmax output equalled the label, before the update.</param>
public sealed record StepResult(Parameters Parameters, OptimizerState State, float Loss, int Correct)
{
    /// <summary>The model's buffers after the step (running statistics updated in training); empty for a model without any.</summary>
    public Buffers Buffers { get; init; } = Buffers.Empty;
}
