namespace Mlp.Models;

/// <summary>What a model's backward returns.</summary>
/// <param name="Parameters">The gradient of every parameter, under the parameter's name (<c>0.weight</c> …), shaped like it.</param>
/// <param name="Dx">The gradient with respect to the model's input, or null when it was not asked for.</param>
public sealed record ModelGrads(Parameters Parameters, Tensor? Dx);
