using Mlp.Data;

namespace Mlp.Tests.Data;

[Collection(TestData.WholeDatasets)]
public class IdxReaderTests
{
    private static readonly Lazy<Tensor> Embedded = new(() => IdxReader.ReadImages(TestData.EmbeddedImages));

    [Fact]
    public void Embedded_fashion_t10k_images_are_10000_rows_of_784_pixels()
    {
        Assert.Equal(new[] { 10000, 784 }, Embedded.Value.ShapeArray());
    }

    [Fact]
    public void Embedded_fashion_t10k_pixels_span_exactly_zero_to_one()
    {
        Assert.Equal(0f, Embedded.Value.Min().ToScalar());
        Assert.Equal(1f, Embedded.Value.Max().ToScalar());
    }

    [Fact]
    public void Embedded_fashion_t10k_pixel_mean_and_std_match_numpy()
    {
        // numpy: (t10k.astype(float32) / 255).astype(float64).mean(), .std(ddof=1)
        Assert.Equal(0.28684929, Embedded.Value.Mean().ToScalar(), 1e-6);
        Assert.Equal(0.35244418, Embedded.Value.Std().ToScalar(), 1e-6);
    }

    [Fact]
    public void Pixels_are_bytes_divided_by_255_in_float32()
    {
        byte[] raw = TestData.RealImagesIdx(3);
        Tensor x = IdxReader.ReadImages(new MemoryStream(raw), "slice");
        for (int i = 0; i < 3 * 784; i++)
            Assert.Equal(raw[16 + i] / 255f, x.AsSpan()[i]);
    }

    [Fact]
    public void Embedded_fashion_t10k_labels_have_1000_of_each_class()
    {
        int[] y = IdxReader.ReadLabels(TestData.EmbeddedLabels);
        Assert.Equal(Enumerable.Repeat(1000, 10), y.CountBy(v => v).OrderBy(kv => kv.Key).Select(kv => kv.Value));
    }

    [Fact]
    public void Embedded_fashion_t10k_first_labels_are_ankle_boot_pullover_trouser()
    {
        int[] y = IdxReader.ReadLabels(TestData.EmbeddedLabels);
        Assert.Equal(new[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, y[..10]);
    }

    [MnistT10kFact]
    public void Mnist_t10k_first_labels_are_7_2_1_0_4()
    {
        int[] y = IdxReader.ReadLabels(Path.Combine(TestData.MnistT10k!, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(new[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, y[..10]);
        Assert.Equal(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 },
                     y.CountBy(v => v).OrderBy(kv => kv.Key).Select(kv => kv.Value));
    }

    [MnistT10kFact]
    public void Mnist_t10k_first_image_has_the_seven_stroke_numpy_sees()
    {
        Tensor x = IdxReader.ReadImages(Path.Combine(TestData.MnistT10k!, "t10k-images-idx3-ubyte.gz"));
        Assert.Equal(new[] { 10000, 784 }, x.ShapeArray());
        // numpy: images[0][8, 6:12] = [222, 254, 254, 254, 254, 241]
        int[] expected = [222, 254, 254, 254, 254, 241];
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j] / 255f, x[0, 8 * 28 + 6 + j]);
        Assert.Equal(0.13251461, x.Mean().ToScalar(), 1e-6);
    }

    [FullFashionFact]
    public void Full_fashion_train_has_60000_images_with_mean_0_2860_and_std_0_3530()
    {
        Tensor x = IdxReader.ReadImages(Path.Combine(TestData.FullFashion, "train-images-idx3-ubyte.gz"));
        Assert.Equal(new[] { 60000, 784 }, x.ShapeArray());
        // numpy over all 60000 training images: mean 0.2860406, std (ddof=1) 0.3530243
        Assert.Equal(0.2860406, x.Mean().ToScalar(), 1e-5);
        Assert.Equal(0.3530243, x.Std().ToScalar(), 1e-5);
    }

    [FullFashionFact]
    public void Full_fashion_train_labels_have_6000_of_each_class()
    {
        int[] y = IdxReader.ReadLabels(Path.Combine(TestData.FullFashion, "train-labels-idx1-ubyte.gz"));
        Assert.Equal(Enumerable.Repeat(6000, 10), y.CountBy(v => v).OrderBy(kv => kv.Key).Select(kv => kv.Value));
    }

    [Fact]
    public void Raw_and_gzipped_files_read_the_same()
    {
        byte[] raw = TestData.RealImagesIdx(20);
        Tensor fromRaw = IdxReader.ReadImages(TestData.TempFile("train-images-idx3-ubyte", raw));
        Tensor fromGz = IdxReader.ReadImages(TestData.TempFile("train-images-idx3-ubyte.gz", TestData.Gzip(raw)));
        Assert.Equal(fromRaw.ToArray(), fromGz.ToArray());
        Assert.Equal(new[] { 20, 784 }, fromGz.ShapeArray());
    }

    [Fact]
    public void Gzip_is_detected_by_its_magic_not_by_the_name()
    {
        byte[] raw = TestData.RealImagesIdx(5);
        Tensor gzNamedRaw = IdxReader.ReadImages(TestData.TempFile("images.gz", raw));
        Tensor rawNamedPlain = IdxReader.ReadImages(TestData.TempFile("images", TestData.Gzip(raw)));
        Assert.Equal(gzNamedRaw.ToArray(), rawNamedPlain.ToArray());
    }

    [Fact]
    public void Forward_only_gzip_streams_read_the_same_as_files()
    {
        byte[] raw = TestData.RealImagesIdx(30);
        Tensor fromStream = IdxReader.ReadImages(new ForwardOnlyStream(new MemoryStream(TestData.Gzip(raw))), "pipe");
        Assert.Equal(IdxReader.ReadImages(new MemoryStream(raw), "memory").ToArray(), fromStream.ToArray());
    }

    [Fact]
    public void Streams_are_read_from_their_current_position_and_left_open()
    {
        byte[] labels = TestData.RealLabelsIdx(10);
        var ms = new MemoryStream([0xAA, 0xBB, .. labels]);
        ms.Position = 2;
        int[] y = IdxReader.ReadLabels(ms, "offset");
        Assert.Equal(new[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, y);
        Assert.True(ms.CanRead);
    }
}
