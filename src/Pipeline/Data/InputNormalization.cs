using System.Globalization;

namespace Mlp.Data;

/// <summary>
/// The input normalization a model was trained with, <c>(x − Mean) / Std</c> (the lesson's <c>normalize</c> with the
/// training statistics). A model file stores it in its metadata under <see cref="MeanKey"/> and <see cref="StdKey"/>,
/// which is where <c>mlp eval</c>, <c>mlp export</c> and <see cref="Serialization.SavedModel.Normalization"/> read it
/// (<see cref="Serialization.SavedModel.InputStatistics"/> validates what a file stores).
/// </summary>
/// <param name="Mean">The training mean subtracted from every input value; finite.</param>
/// <param name="Std">The training std every input value is divided by; positive and finite.</param>
public readonly record struct InputNormalization(float Mean, float Std)
{
    /// <summary>Metadata key of the training mean, written with the round-trip format (<c>"R"</c>), invariant culture.</summary>
    public const string MeanKey = "mlp.input_mean";

    /// <summary>Metadata key of the training std, written as <see cref="MeanKey"/>.</summary>
    public const string StdKey = "mlp.input_std";

    /// <summary>Applies it: <see cref="Normalization.Normalize"/> with <see cref="Mean"/> and <see cref="Std"/>.</summary>
    /// <exception cref="ArgumentException">The mean is not finite, or the std is not positive and finite.</exception>
    public Tensor Apply(Tensor x) => Normalization.Normalize(x, Mean, Std);

    /// <summary>The two metadata entries, <see cref="MeanKey"/> and <see cref="StdKey"/>.</summary>
    /// <exception cref="ArgumentException">The mean is not finite, or the std is not positive and finite.</exception>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        if (!float.IsFinite(Mean) || !float.IsFinite(Std) || Std <= 0f)
            throw new ArgumentException($"InputNormalization: mean {Mean} and std {Std}; a finite mean and a positive, finite std are needed.");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeanKey] = Mean.ToString("R", CultureInfo.InvariantCulture),
            [StdKey] = Std.ToString("R", CultureInfo.InvariantCulture),
        };
    }
}
