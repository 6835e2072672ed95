using Mlp.Data;

namespace Mlp.Tests.Data;

/// <summary>
/// The pickle fixtures (tools/make_pickle_fixtures.py) hold the first 10 embedded Fashion-MNIST test images,
/// written by numpy as float32 / 255 with int64 labels and split 6/2/2; the IDX reader is the reference.
/// </summary>
public class MnistPickleReaderTests
{
    private static readonly Lazy<Tensor> FirstTen = new(() => IdxReader.ReadImages(TestData.EmbeddedImages).Rows(0, 10));
    private static readonly int[] FirstTenLabels = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7];

    private static void AssertFirstTenImages(DatasetSplits s, int nTrain = 6, int nValid = 2, int nTest = 2)
    {
        Assert.Equal((nTrain, nValid, nTest), (s.Train.Count, s.Valid.Count, s.Test!.Count));
        Assert.Equal(784, s.Train.Features);
        Tensor all = Tensor.ConcatRows([s.Train.X, s.Valid.X, s.Test.X]);
        Assert.Equal(FirstTen.Value.Rows(0, nTrain + nValid + nTest).ToArray(), all.ToArray());
        Assert.Equal(FirstTenLabels[..(nTrain + nValid + nTest)], s.Train.Labels.Concat(s.Valid.Labels).Concat(s.Test.Labels));
    }

    [Fact]
    public void A_python3_protocol2_pickle_holds_the_same_pixels_and_labels_as_the_idx_files() =>
        AssertFirstTenImages(MnistPickleReader.Read(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz")));

    [Fact]
    public void A_python2_style_pickle_with_latin1_str_data_reads_like_the_original() =>
        AssertFirstTenImages(MnistPickleReader.Read(TestData.PickleFixture("mnist_py2_style.pkl.gz")));

    [Fact]
    public void An_uncompressed_protocol4_pickle_reads() =>
        AssertFirstTenImages(MnistPickleReader.Read(TestData.PickleFixture("mnist_py3_protocol4.pkl")), 2, 1, 1);

    [Fact]
    public void Numpy2_module_names_read() =>
        AssertFirstTenImages(MnistPickleReader.Read(TestData.PickleFixture("mnist_numpy2_module.pkl.gz")));

    [Fact]
    public void Float64_pixels_and_int32_labels_are_converted() =>
        AssertFirstTenImages(MnistPickleReader.Read(TestData.PickleFixture("float64_int32.pkl.gz")));

    [Fact]
    public void A_forward_only_stream_reads_the_same()
    {
        using var f = File.OpenRead(TestData.PickleFixture("mnist_py2_style.pkl.gz"));
        AssertFirstTenImages(MnistPickleReader.Read(new ForwardOnlyStream(f), "pipe"));
    }

    [Fact]
    public void The_description_says_the_splits_are_the_pickles_own()
    {
        string path = TestData.PickleFixture("mnist_py3_protocol2.pkl.gz");
        Assert.Equal($"train/valid/test as stored in {path}: 6/2/2 rows", MnistPickleReader.Read(path).Description);
    }
}
