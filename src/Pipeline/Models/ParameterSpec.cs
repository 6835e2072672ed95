namespace Mlp.Models;

/// <summary>What a layer's parameter is: its local name, shape, and how PyTorch lays it out.</summary>
/// <param name="Name">The local name, e.g. <c>weight</c> or <c>bias</c>; a model prefixes the layer index (<c>0.weight</c>).</param>
/// <param name="Shape">The shape in Mlp's layout.</param>
/// <param name="TransposedInTorch">
/// True for a 2-D parameter PyTorch stores transposed, such as a linear weight: Mlp's (in, out) is PyTorch's (out, in).
/// Model files store PyTorch's layout.
/// </param>
public sealed record ParameterSpec(string Name, IReadOnlyList<int> Shape, bool TransposedInTorch)
{
    /// <summary>The shape as PyTorch stores it.</summary>
    public IReadOnlyList<int> TorchShape => TransposedInTorch && Shape.Count == 2 ? [Shape[1], Shape[0]] : Shape;
}
