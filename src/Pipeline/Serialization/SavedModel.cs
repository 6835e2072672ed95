using Mlp.Data;
using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>A model read from a file: its architecture, its parameters (in Mlp's layout) and the file's metadata.</summary>
/// <param name="Model">The rebuilt model.</param>
/// <param name="Parameters">Its parameters, named as in PyTorch's <c>state_dict</c>, in Mlp's layout.</param>
/// <param name="Metadata">
/// Everything in the file's <c>__metadata__</c>. Keys Mlp writes: <c>mlp.kind</c> (<see cref="ModelFile.KindKey"/>,
/// <c>model</c> or <c>checkpoint</c>), <c>mlp.layers</c> (<see cref="ModelFile.LayersKey"/>, the architecture),
/// <c>mlp.architecture</c> (for people), <c>mlp.input_mean</c> and <c>mlp.input_std</c>
/// (<see cref="InputNormalization.MeanKey"/>, <see cref="InputNormalization.StdKey"/>: the input normalization),
/// <c>mlp.input_train_rows</c> (<c>mlp train</c>: the rows those statistics came from), and
/// PyTorch's <c>format</c> = <c>pt</c>.
/// </param>
public sealed record SavedModel(Model Model, Parameters Parameters, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The input normalization stored in the file, or null when it has none (<see cref="InputNormalization.FromMetadata"/>).</summary>
    /// <exception cref="InvalidDataException">The file stores a mean or std that is not a number.</exception>
    public InputNormalization? Normalization => InputNormalization.FromMetadata(Metadata);
}
