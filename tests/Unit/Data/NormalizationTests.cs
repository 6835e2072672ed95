using Mlp.Data;

namespace Mlp.Tests.Data;

[Collection(TestData.WholeDatasets)]
public class NormalizationTests
{
    private static readonly Lazy<DatasetSplits> Embedded = new(() => DataLoader.Load(TestData.EmbeddedFashion));

    [Fact]
    public void Statistics_are_the_training_mean_and_bessel_std()
    {
        var raw = Embedded.Value;
        var (_, mean, std) = Normalization.ByTrainStatistics(raw);
        double m = raw.Train.X.AsSpan().ToArray().Average(v => (double)v);
        double ss = raw.Train.X.AsSpan().ToArray().Sum(v => (v - m) * (v - m));
        Assert.Equal(m, mean, 1e-6);
        Assert.Equal(Math.Sqrt(ss / (raw.Train.X.Length - 1)), std, 1e-6);
    }

    [Fact]
    public void Normalized_train_has_mean_0_and_std_1()
    {
        var (norm, _, _) = Normalization.ByTrainStatistics(Embedded.Value);
        Assert.InRange(norm.Train.X.Mean().ToScalar(), -1e-3f, 1e-3f);
        Assert.InRange(norm.Train.X.Std().ToScalar(), 1 - 1e-3f, 1 + 1e-3f);
    }

    [Fact]
    public void Valid_is_normalized_with_the_train_statistics_not_its_own()
    {
        var raw = Embedded.Value;
        var (norm, mean, std) = Normalization.ByTrainStatistics(raw);
        float rawValidMean = raw.Valid.X.Mean().ToScalar();
        Assert.Equal((rawValidMean - mean) / std, norm.Valid.X.Mean().ToScalar(), 1e-5);
        Assert.NotEqual(0f, norm.Valid.X.Mean().ToScalar(), 1e-3f);
    }

    [Fact]
    public void Labels_sources_and_description_are_kept()
    {
        var raw = Embedded.Value;
        var (norm, _, _) = Normalization.ByTrainStatistics(raw);
        Assert.Equal(raw.Valid.Labels, norm.Valid.Labels);
        Assert.Equal(raw.Train.Source, norm.Train.Source);
        Assert.Equal(raw.Description, norm.Description);
    }

    [FullFashionFact]
    public void Full_fashion_train_normalizes_to_0_and_1_and_valid_keeps_its_offset()
    {
        var (norm, mean, std) = Normalization.ByTrainStatistics(TestData.FullFashionSplits);
        // numpy on the first 50000 training images: mean 0.2854989, std (ddof=1) 0.3527844;
        // the last 10000, normalized with those: mean 0.0092128, std 1.0040365.
        Assert.Equal(0.2854989, mean, 1e-6);
        Assert.Equal(0.3527844, std, 1e-6);
        Assert.InRange(norm.Train.X.Mean().ToScalar(), -1e-3f, 1e-3f);
        Assert.InRange(norm.Train.X.Std().ToScalar(), 1 - 1e-3f, 1 + 1e-3f);
        Assert.Equal(0.0092128, norm.Valid.X.Mean().ToScalar(), 1e-5);
        Assert.Equal(1.0040365, norm.Valid.X.Std().ToScalar(), 1e-5);
    }

    [Fact]
    public void Normalize_computes_x_minus_mean_over_std_per_element()
    {
        float[] v = [0f, 0.25f, 0.5f, 1f, 0.7f, 0.1f];
        Tensor y = Normalization.Normalize(Tensor.FromArray(v, 2, 3), 0.3f, 0.4f);
        Assert.Equal(new[] { 2, 3 }, y.ShapeArray());
        Assert.Equal(v.Select(x => (x - 0.3f) / 0.4f), y.ToArray());
    }

    [Fact]
    public void Normalize_refuses_a_zero_std()
    {
        var e = Assert.Throws<ArgumentException>(() => Normalization.Normalize(Tensor.Ones(2, 2), 0.5f, 0f));
        Assert.Equal("std", e.ParamName);
    }

    [Fact]
    public void Constant_training_features_cannot_be_normalized()
    {
        var ds = new Dataset(Tensor.Ones(4, 3), [0, 1, 0, 1], "constant");
        var e = Assert.Throws<ArgumentException>(() => Normalization.ByTrainStatistics(new DatasetSplits(ds, ds, null, "test")));
        Assert.Contains("constant", e.Message);
    }
}
