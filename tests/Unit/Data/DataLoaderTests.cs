using Mlp.Data;

namespace Mlp.Tests.Data;

[Collection(TestData.WholeDatasets)]
public class DataLoaderTests
{
    private static readonly Lazy<DatasetSplits> Embedded = new(() => DataLoader.Load(TestData.EmbeddedFashion));
    private static readonly Lazy<Tensor> EmbeddedX = new(() => IdxReader.ReadImages(TestData.EmbeddedImages));

    [Fact]
    public void Test_files_only_split_80_20_into_train_and_valid_with_no_test()
    {
        var s = Embedded.Value;
        Assert.Equal((8000, 2000), (s.Train.Count, s.Valid.Count));
        Assert.Null(s.Test);
        Assert.Contains("only test files: train = first 8000 rows (80%)", s.Description);
        Assert.Contains("valid = the last 2000 (20%)", s.Description);
    }

    [Fact]
    public void Valid_starts_at_the_row_after_train_ends()
    {
        var s = Embedded.Value;
        Assert.Equal(EmbeddedX.Value.Rows(8000, 1).ToArray(), s.Valid.X.Rows(0, 1).ToArray());
        Assert.Equal(EmbeddedX.Value.Rows(7999, 1).ToArray(), s.Train.X.Rows(7999, 1).ToArray());
        Assert.Equal(IdxReader.ReadLabels(TestData.EmbeddedLabels)[8000..], s.Valid.Labels);
    }

    [Fact]
    public void Streams_split_the_same_as_the_directory()
    {
        using var images = File.OpenRead(TestData.EmbeddedImages);
        using var labels = File.OpenRead(TestData.EmbeddedLabels);
        var s = DataLoader.FromIdxStreams(null, null, images, labels, "embedded");
        Assert.Equal(Embedded.Value.Train.X.ToArray(), s.Train.X.ToArray());
        Assert.Equal(Embedded.Value.Valid.Labels, s.Valid.Labels);
        Assert.Contains("of embedded t10k-images-idx3-ubyte", s.Description);
    }

    [Fact]
    public void Streams_need_images_and_labels_together() =>
        Assert.Throws<ArgumentException>(() => DataLoader.FromIdxStreams(null, null, new MemoryStream(), null, "half"));

    [FullFashionFact]
    public void Full_fashion_splits_as_the_lesson_50000_10000_and_the_test_file()
    {
        var s = TestData.FullFashionSplits;
        Assert.Equal((50000, 10000, 10000), (s.Train.Count, s.Valid.Count, s.Test!.Count));
        Assert.Equal((784, 10), (s.Train.Features, s.Train.Classes));
        Assert.Contains("train = first 50000 rows of", s.Description);
        Assert.Contains("valid = the remaining 10000, test = all 10000 rows of", s.Description);
        int[] labels = IdxReader.ReadLabels(Path.Combine(TestData.FullFashion, "train-labels-idx1-ubyte.gz"));
        Assert.Equal(labels[50000..], s.Valid.Labels);
        Assert.Equal(IdxReader.ReadLabels(Path.Combine(TestData.FullFashion, "t10k-labels-idx1-ubyte.gz")), s.Test.Labels);
    }

    [Fact]
    public void A_training_file_of_at_most_50000_rows_splits_five_sixths_to_one_sixth()
    {
        string dir = TestData.TempDir();
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), TestData.Gzip(TestData.RealImagesIdx(60)));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), TestData.RealLabelsIdx(60));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), TestData.RealImagesIdx(12));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), TestData.Gzip(TestData.RealLabelsIdx(12)));
        var s = DataLoader.Load(dir);
        Assert.Equal((50, 10, 12), (s.Train.Count, s.Valid.Count, s.Test!.Count));
        Assert.Contains("train = first 50 rows (5/6)", s.Description);
        Assert.Equal(EmbeddedX.Value.Rows(50, 10).ToArray(), s.Valid.X.ToArray());
    }

    [MnistT10kFact]
    public void Mnist_t10k_loads_test_only_and_says_it_ignored_the_lone_training_labels()
    {
        var s = DataLoader.Load(TestData.MnistT10k!);
        Assert.Equal((8000, 2000), (s.Train.Count, s.Valid.Count));
        Assert.Equal(new[] { 7, 2, 1, 0, 4 }, s.Train.Labels.Take(5));
        Assert.Contains("train-labels-idx1-ubyte.gz ignored", s.Description);
    }

    [Fact]
    public void A_directory_holding_mnist_pkl_gz_loads_the_pickle()
    {
        string dir = TestData.TempDir();
        File.Copy(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz"), Path.Combine(dir, "mnist.pkl.gz"));
        var s = DataLoader.Load(dir);
        Assert.Equal((6, 2, 2), (s.Train.Count, s.Valid.Count, s.Test!.Count));
    }

    [Fact]
    public void A_pickle_file_path_loads_its_own_splits()
    {
        var s = DataLoader.Load(TestData.PickleFixture("mnist_py2_style.pkl.gz"));
        Assert.Equal((6, 2, 2), (s.Train.Count, s.Valid.Count, s.Test!.Count));
        Assert.Contains("as stored in", s.Description);
    }

    [Fact]
    public void An_empty_directory_says_how_to_get_data()
    {
        string dir = TestData.TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => DataLoader.Load(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);
    }

    [Fact]
    public void A_missing_path_says_how_to_get_data()
    {
        string path = Path.Combine(TestData.TempDir(), "nowhere");
        var e = Assert.Throws<FileNotFoundException>(() => DataLoader.Load(path));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Images_without_their_labels_file_are_file_not_found()
    {
        string dir = TestData.TempDir();
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), TestData.RealImagesIdx(10));
        var e = Assert.Throws<FileNotFoundException>(() => DataLoader.Load(dir));
        Assert.Contains("no t10k-labels-idx1-ubyte[.gz]", e.Message);
    }

    [Fact]
    public void Image_and_label_counts_that_disagree_name_both_files()
    {
        string dir = TestData.TempDir();
        string images = Path.Combine(dir, "t10k-images-idx3-ubyte"), labels = Path.Combine(dir, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(images, TestData.RealImagesIdx(10));
        File.WriteAllBytes(labels, TestData.RealLabelsIdx(9));
        var e = Assert.Throws<InvalidDataException>(() => DataLoader.Load(dir));
        Assert.Equal($"{images}: has 10 images but {labels} has 9 labels; the counts must agree.", e.Message);
    }

    [Fact]
    public void A_single_image_cannot_be_split()
    {
        string dir = TestData.TempDir();
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), TestData.RealImagesIdx(1));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), TestData.RealLabelsIdx(1));
        var e = Assert.Throws<InvalidDataException>(() => DataLoader.Load(dir));
        Assert.Contains("needs at least 2", e.Message);
    }

    [Fact]
    public void A_bad_file_in_a_directory_is_named()
    {
        string dir = TestData.TempDir();
        string images = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, TestData.Gzip(TestData.RealImagesIdx(10)[..^5]));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), TestData.RealLabelsIdx(10));
        var e = Assert.Throws<InvalidDataException>(() => DataLoader.Load(dir));
        Assert.StartsWith(images + ": truncated", e.Message);
    }
}
