using Mlp.Data;

namespace Mlp.Tests.Data;

/// <summary>Every malformed IDX case: an <see cref="InvalidDataException"/> whose message names the file and the problem.</summary>
public class IdxBadInputTests
{
    private static void ImagesRefused(byte[] data, string problem, string fileName = "t10k-images-idx3-ubyte")
    {
        string path = TestData.TempFile(fileName, data);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    private static void LabelsRefused(byte[] data, string problem)
    {
        string path = TestData.TempFile("t10k-labels-idx1-ubyte", data);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    private static readonly byte[] Real = TestData.RealImagesIdx(50);

    [Fact]
    public void A_bad_magic_number_is_named() =>
        ImagesRefused(TestData.WithWord(Real, 0, 0x12345678), "bad magic number 0x12345678");

    [Fact]
    public void A_labels_file_read_as_images_is_named_as_such() =>
        ImagesRefused(TestData.RealLabelsIdx(50), "It is an idx1 labels file");

    [Fact]
    public void An_images_file_read_as_labels_is_named_as_such() =>
        LabelsRefused(Real, "It is an idx3 images file");

    [Fact]
    public void A_non_byte_element_type_is_refused() =>
        ImagesRefused(TestData.WithWord(Real, 0, 0x0D03), "Element type 0x0D is not supported");

    [Fact]
    public void A_gzipped_pickle_is_not_mistaken_for_images() =>
        ImagesRefused(File.ReadAllBytes(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz")), "looks like a Python pickle");

    [Fact]
    public void An_empty_file_is_truncated() => ImagesRefused([], "truncated: the idx3 images header");

    [Fact]
    public void A_header_cut_short_is_truncated() => ImagesRefused(Real[..10], "truncated: the idx3 images header");

    [Fact]
    public void Raw_pixels_cut_short_are_caught_before_allocating() =>
        ImagesRefused(Real[..^100], $"50 images of 28×28 pixels needs 39200 bytes but only 39100 bytes remain");

    [Fact]
    public void Gzipped_pixels_cut_short_fail_at_the_end_of_the_data() =>
        ImagesRefused(TestData.Gzip(Real[..^100]), "truncated: 50 images of 28×28 pixels needs 39200 bytes but the decompressed data ends after 39100");

    [Fact]
    public void A_gzip_stream_cut_in_the_middle_is_refused()
    {
        byte[] gz = TestData.Gzip(Real);
        string path = TestData.TempFile("t10k-images-idx3-ubyte.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Matches("truncated|corrupt gzip", e.Message);
    }

    [Fact]
    public void Corrupt_deflate_data_is_named_as_corrupt_gzip()
    {
        byte[] gz = TestData.Gzip(Real);
        for (int i = 20; i < 60; i++) gz[i] = 0xFF;
        ImagesRefused(gz, "corrupt gzip data");
    }

    [Fact]
    public void Data_after_the_declared_images_means_the_header_lies() =>
        ImagesRefused(TestData.WithWord(Real, 4, 49), "more data follows the 49 images of 28×28 pixels");

    [Fact]
    public void A_count_larger_than_the_raw_file_is_refused_before_allocating() =>
        ImagesRefused(TestData.WithWord(Real, 4, 1_000_000), "needs 784000000 bytes but only 39200 bytes remain");

    [Fact]
    public void A_count_larger_than_the_gzip_data_can_hold_is_refused_before_allocating() =>
        ImagesRefused(TestData.Gzip(TestData.WithWord(Real, 4, 1_000_000)), "bytes of gzip data can hold at most");

    [Fact]
    public void Dimensions_whose_product_overflows_are_refused() =>
        ImagesRefused(TestData.WithWord(TestData.WithWord(Real, 8, 65536), 12, 65536), "more than one array can hold");

    [Fact]
    public void A_dimension_above_int_max_is_refused() =>
        ImagesRefused(TestData.WithWord(Real, 4, 0xFFFFFFFF), "image count is 4294967295");

    [Fact]
    public void Images_without_pixels_are_refused() =>
        ImagesRefused(TestData.WithWord(Real, 8, 0), "images are 0×28 pixels");

    [Fact]
    public void Labels_cut_short_are_truncated() =>
        LabelsRefused(TestData.Gzip(TestData.RealLabelsIdx(50)[..^1]), "truncated: 50 labels needs 50 bytes");

    [Fact]
    public void A_labels_count_larger_than_the_file_is_refused() =>
        LabelsRefused(TestData.WithWord(TestData.RealLabelsIdx(50), 4, 2_000_000_000), "needs 2000000000 bytes but only 50 bytes remain");

    [Fact]
    public void Stream_errors_name_the_stream()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(new ForwardOnlyStream(new MemoryStream(Real[..^1])), "my-stream"));
        Assert.StartsWith("my-stream: truncated", e.Message);
    }

    [Fact]
    public void A_missing_file_is_file_not_found_not_invalid_data() =>
        Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(Path.Combine(TestData.TempDir(), "absent")));
}
