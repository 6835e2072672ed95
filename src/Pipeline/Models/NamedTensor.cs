namespace Mlp.Models;

/// <summary>A tensor with its <c>state_dict</c> name, e.g. <c>0.weight</c>.</summary>
/// <param name="Name">The PyTorch-style name.</param>
/// <param name="Value">The tensor.</param>
public sealed record NamedTensor(string Name, Tensor Value);
