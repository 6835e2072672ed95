using System.Numerics.Tensors;

namespace Mlp.Data;

/// <summary>The lesson's <c>normalize(x, mean, std) = (x − mean) / std</c>, with training statistics for every split.</summary>
public static class Normalization
{
    /// <summary>
    /// Normalizes every split with the <b>training</b> mean and std (over all training pixels; std Bessel-corrected
    /// like <c>torch.std</c>; both accumulated in double). "NB: Use training, not validation mean for validation set",
    /// so the validation and test means are close to, but not forced to, 0.
    /// </summary>
    /// <param name="splits">Raw splits, e.g. from <see cref="DataLoader.Load"/>.</param>
    /// <returns>The normalized splits (same labels, sources and description) and the training mean and std used.</returns>
    /// <exception cref="ArgumentException">The training features have fewer than two values or a std that is zero or not finite.</exception>
    public static (DatasetSplits Splits, float Mean, float Std) ByTrainStatistics(DatasetSplits splits)
    {
        ArgumentNullException.ThrowIfNull(splits);
        Tensor x = splits.Train.X;
        float mean = x.Mean().ToScalar(), std = x.Std().ToScalar();
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std <= 0f)
            throw new ArgumentException($"{splits.Train.Source}: training features have mean {mean} and std {std}; " +
                                        "normalizing needs a finite mean and a positive, finite std.", nameof(splits));
        Dataset Norm(Dataset d) => d.WithFeatures(Normalize(d.X, mean, std));
        var normalized = new DatasetSplits(Norm(splits.Train), Norm(splits.Valid), splits.Test is { } t ? Norm(t) : null, splits.Description);
        return (normalized, mean, std);
    }

    /// <summary><c>(x − mean) / std</c>, element-wise, same shape as <paramref name="x"/>. PyTorch: <c>(x - mean) / std</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="mean">The mean to subtract.</param>
    /// <param name="std">The std to divide by; positive and finite.</param>
    /// <exception cref="ArgumentException"><paramref name="mean"/> is not finite, or <paramref name="std"/> is not positive and finite.</exception>
    public static Tensor Normalize(Tensor x, float mean, float std)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!float.IsFinite(mean)) throw new ArgumentException($"Normalize: mean must be finite; got {mean}.", nameof(mean));
        if (!float.IsFinite(std) || std <= 0f) throw new ArgumentException($"Normalize: std must be positive and finite; got {std}.", nameof(std));
        // Two SIMD passes into the fresh buffer: subtract, then divide in place (same rounding as (x - mean) / std).
        return Tensor.Create(x.ShapeArray(), d =>
        {
            TensorPrimitives.Subtract(x.AsSpan(), mean, d);
            TensorPrimitives.Divide(d, std, d);
        });
    }
}
