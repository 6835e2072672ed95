using System.Globalization;
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
    /// <summary>The model's buffers as stored (BatchNorm1d's running statistics); empty for a model without any.</summary>
    public Buffers Buffers { get; init; } = Buffers.Empty;

    /// <summary>The model's output in evaluation mode with the stored parameters and buffers, for already normalized <paramref name="x"/> (<see cref="Normalization"/>).</summary>
    /// <exception cref="ArgumentException">The input does not fit the model.</exception>
    public Tensor Predict(Tensor x) => Model.Predict(Parameters, Buffers, x);

    /// <summary>Predicted classes (argmax of <see cref="Predict"/>) for already normalized <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The input does not fit the model.</exception>
    public int[] PredictClasses(Tensor x) => Predict(x).ArgMaxRows();

    /// <summary>Metadata key: the mean the inputs were normalized with in training.</summary>
    public const string InputMeanKey = InputNormalization.MeanKey;

    /// <summary>Metadata key: the standard deviation the inputs were normalized with in training.</summary>
    public const string InputStdKey = InputNormalization.StdKey;

    /// <summary>
    /// The input normalization stored with the model, or null when the file stores none (neither key). A file that
    /// stores one without the other, a value that is not a number, a non-finite mean, or a std that is not a finite
    /// number &gt; 0 is refused: normalizing with it would silently give wrong predictions.
    /// </summary>
    /// <param name="source">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">The stored statistics are unusable; the message names <paramref name="source"/> and the key.</exception>
    public (float Mean, float Std)? InputStatistics(string source)
    {
        bool hasMean = Metadata.TryGetValue(InputMeanKey, out var ms), hasStd = Metadata.TryGetValue(InputStdKey, out var ss);
        if (!hasMean && !hasStd) return null;
        if (!hasMean || !hasStd)
            throw new InvalidDataException($"{source}: the metadata has '{(hasMean ? InputMeanKey : InputStdKey)}' but not '{(hasMean ? InputStdKey : InputMeanKey)}'.");
        if (!float.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out float mean) || !float.IsFinite(mean))
            throw new InvalidDataException($"{source}: '{InputMeanKey}' is '{ms}', not a finite number.");
        if (!float.TryParse(ss, NumberStyles.Float, CultureInfo.InvariantCulture, out float std) || !float.IsFinite(std) || std <= 0)
            throw new InvalidDataException($"{source}: '{InputStdKey}' is '{ss}', not a finite number > 0.");
        return (mean, std);
    }

    /// <summary>The input normalization stored with the model (<see cref="InputStatistics"/>), or null when the file stores none.</summary>
    /// <exception cref="InvalidDataException">The stored statistics are unusable.</exception>
    public InputNormalization? Normalization =>
        InputStatistics("the model file") is { } s ? new InputNormalization(s.Mean, s.Std) : null;
}
