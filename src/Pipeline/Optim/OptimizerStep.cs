using Mlp.Models;

namespace Mlp.Optim;

/// <summary>The result of one optimizer step: new parameters and new state. The inputs are unchanged.</summary>
/// <param name="Parameters">The updated parameters.</param>
/// <param name="State">The updated optimizer state.</param>
public sealed record OptimizerStep(Parameters Parameters, OptimizerState State);
