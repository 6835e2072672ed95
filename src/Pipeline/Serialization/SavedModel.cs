using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>A model read from a file: its architecture, its parameters (in Mlp's layout) and the file's metadata.</summary>
/// <param name="Model">The rebuilt model.</param>
/// <param name="Parameters">Its parameters, named as in PyTorch's <c>state_dict</c>, in Mlp's layout.</param>
/// <param name="Metadata">Everything in the file's <c>__metadata__</c> (e.g. <c>mlp.input_mean</c>).</param>
public sealed record SavedModel(Model Model, Parameters Parameters, IReadOnlyDictionary<string, string> Metadata);
