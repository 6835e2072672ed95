namespace Mlp.Data;

/// <summary>The lesson's <c>normalize(x, mean, std) = (x − mean) / std</c>, with training statistics for every split.</summary>
public static class Normalization
{
    /// <summary>
    /// Normalizes every split with the <b>training</b> mean and std (Bessel-corrected, like <c>torch.std</c>).
    /// "NB: Use training, not validation mean for validation set."
    /// </summary>
    /// <returns>The normalized splits and the statistics used.</returns>
    public static (DatasetSplits Splits, float Mean, float Std) ByTrainStatistics(DatasetSplits splits) => throw new NotImplementedException();

    /// <summary><c>(x − mean) / std</c>.</summary>
    public static Tensor Normalize(Tensor x, float mean, float std) => throw new NotImplementedException();
}
