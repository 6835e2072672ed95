namespace Mlp.Models;

/// <summary>What <c>Model.Gradient</c> returns: one forward, loss and backward.</summary>
/// <param name="Output">The model's output on the batch.</param>
/// <param name="Loss">The batch's loss.</param>
/// <param name="Gradients">The gradient of every parameter under its <c>state_dict</c> name, shaped like it: what an optimizer takes.</param>
public sealed record LossGradient(Tensor Output, float Loss, Parameters Gradients)
{
    /// <summary>The model's buffers after the forward (updated running statistics in training); empty for a model without any.</summary>
    public Buffers Buffers { get; init; } = Buffers.Empty;
}
