namespace Mlp.Models;

/// <summary>What a layer's backward returns: the input gradient and one gradient per parameter, in the layer's order.</summary>
/// <param name="Dx">The gradient with respect to the layer's input, shaped like it; null when the caller asked not to compute it.</param>
/// <param name="Dparams">One gradient per parameter, shaped like that parameter (e.g. <c>[dw, db]</c> for a linear layer).</param>
public sealed record LayerGrads(Tensor? Dx, IReadOnlyList<Tensor> Dparams);
