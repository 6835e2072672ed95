namespace Mlp.Models;

/// <summary>What <see cref="Model.Gradient"/> returns: one forward, loss and backward.</summary>
/// <param name="Output">The model's output on the batch.</param>
/// <param name="Loss">The batch's loss.</param>
/// <param name="Gradients">The gradient of every parameter under its <c>state_dict</c> name, shaped like it: what an optimizer takes.</param>
public sealed record LossGradient(Tensor Output, float Loss, Parameters Gradients);
