using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Mlp.Data;
using Mlp.Numpy;
using Mlp.TestShared;

namespace Mlp.Tests.Data;

/// <summary>
/// Issue 12, item 3: every reader bounds what it decompresses (by its header and by <see cref="DataLimits"/>), so a
/// small bomb is refused with a message naming the file before it costs memory. Each test measures the bytes the
/// reader allocated.
/// </summary>
public class ResourceContractTests
{
    private const long Budget = 64L << 20;   // far below what any of these bombs would need

    private static string RefusedWithin(Func<object> read, string name, string problem)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(read);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(name, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.True(allocated < Budget, $"the reader allocated {allocated >> 20} MB before refusing: {e.Message}");
        return e.Message;
    }

    private static byte[] ImagesHeader(int n)
    {
        var h = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(h, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(12), 28);
        return h;
    }

    [Fact]
    public void An_idx_gzip_of_real_zeros_that_matches_its_header_is_refused_as_a_bomb()
    {
        // 200 MB of zeros gzip to ~200 KB: the header is honest, the ratio is not what image data has.
        int n = 255_102;
        byte[] gz = GzipBombs.Zeros(ImagesHeader(n), (long)n * 784);
        string m = RefusedWithin(() => IdxReader.ReadImages(new MemoryStream(gz), "bomb.gz"), "bomb.gz: ", "decompression bomb");
        Assert.Contains(DataLimits.GzipExpansionVariable, m);
    }

    [Fact]
    public void An_idx_bomb_read_forward_only_is_refused_while_it_expands()
    {
        int n = 255_102;
        byte[] gz = GzipBombs.Zeros(ImagesHeader(n), (long)n * 784);
        RefusedWithin(() => IdxReader.ReadImages(new ForwardOnly(gz), "pipe.gz"), "pipe.gz: ", "decompression bomb");
    }

    [Fact]
    public void Idx_with_zero_images_and_an_overflowing_row_size_is_refused()
    {
        // n = 0 made the total 0, and rows·cols overflowed int: the tensor came out as (0, −2147479015).
        var h = ImagesHeader(0);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(8), 65536);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(12), 65536);
        RefusedWithin(() => IdxReader.ReadImages(new MemoryStream(h), "zero.idx"), "zero.idx: ", "65536×65536 = 4294967296 pixels");
    }

    [Fact]
    public void A_gzipped_pickle_bomb_is_refused()
    {
        byte[] gz = GzipBombs.Zeros([0x80, 4, 0x8e, .. BitConverter.GetBytes(200L << 20)], 200L << 20, [(byte)'.']);
        RefusedWithin(() => MnistPickleReader.Read(new MemoryStream(gz), "bomb.pkl.gz"), "bomb.pkl.gz: ", "decompression bomb");
    }

    private static byte[] NpyHeader(string descr, string shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string padded = dict + new string(' ', total - 10 - dict.Length - 1) + "\n";
        var h = new byte[total];
        h[0] = 0x93;
        "NUMPY"u8.CopyTo(h.AsSpan(1));
        h[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(8), (ushort)padded.Length);
        Encoding.Latin1.GetBytes(padded, h.AsSpan(10));
        return h;
    }

    private static byte[] NpzWithZeroEntry(string entry, string descr, string shape, long zeros, bool withGood)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (withGood)
                using (var s = zip.CreateEntry("w.npy").Open())
                    NpyWriter.Write(s, NpyArray.FromFloat32([1, 2, 3], [3]));
            using var e = zip.CreateEntry(entry, CompressionLevel.Optimal).Open();
            e.Write(NpyHeader(descr, shape));
            var z = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= z.Length) e.Write(z, 0, (int)Math.Min(z.Length, left));
        }
        return ms.ToArray();
    }

    [Fact]
    public void An_npz_entry_that_expands_far_beyond_its_compressed_size_is_refused_before_it_is_expanded()
    {
        byte[] npz = NpzWithZeroEntry("big.npy", "<f4", "(67108864,)", 256L << 20, withGood: false);
        RefusedWithin(() => NpzReader.Read(new MemoryStream(npz), "bomb.npz"), "bomb.npz (array 'big'): ", "decompression bomb");
    }

    [Fact]
    public void Unused_npz_entries_are_never_decompressed()
    {
        byte[] npz = NpzWithZeroEntry("junk.npy", "<f4", "(67108864,)", 256L << 20, withGood: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var archive = NpzReader.Read(new MemoryStream(npz), "mixed.npz", ["w"]);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < Budget);
        Assert.Equal(new float[] { 1, 2, 3 }, archive.GetTensor("w", [3]).ToArray());
        Assert.Equal(["w"], archive.Names);
    }

    [Fact]
    public void Asking_for_a_missing_npz_array_names_the_file_and_the_arrays_it_has()
    {
        byte[] npz = NpzWithZeroEntry("junk.npy", "<f4", "(4,)", 16, withGood: true);
        var e = Assert.Throws<InvalidDataException>(() => NpzReader.Read(new MemoryStream(npz), "few.npz", ["x"]));
        Assert.Equal("few.npz: no array 'x'; the file has w, junk.", e.Message);
    }

    [Fact]
    public void An_npz_entry_whose_header_disagrees_with_the_archive_size_is_refused()
    {
        // The header (128 bytes) says 4 floats (16 bytes) but 1 MB follows: the data beyond the header is never trusted.
        byte[] npz = NpzWithZeroEntry("x.npy", "<f4", "(4,)", 1 << 20, withGood: false);
        RefusedWithin(() => NpzReader.Read(new MemoryStream(npz), "lies.npz"), "lies.npz (array 'x'): ", "the header declares 144 bytes but the archive records 1048704");
    }

    [Fact]
    public void The_limits_have_documented_defaults()
    {
        Assert.Equal(16, DataLimits.DefaultMaxGzipExpansion);
        Assert.Equal(4096, DataLimits.DefaultMaxClasses);
        if (Environment.GetEnvironmentVariable(DataLimits.GzipExpansionVariable) is null)
            Assert.Equal((16L << 20) + 16 * 1000L, DataLimits.MaxExpandedBytes(1000));
    }

    [Fact]
    public void A_dataset_refuses_a_label_beyond_the_class_limit()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros(2, 3), [1, 20000], "labels"));
        Assert.Contains("label 1 is 20000; labels must be below 4096", e.Message);
    }

    [Fact]
    public void Idx_train_and_test_images_of_different_sizes_are_refused_at_load()
    {
        string dir = Directory.CreateTempSubdirectory("mlp-idx-sizes-").FullName;
        try
        {
            byte[] trainImages = TestData.ImagesIdx(6, 28, 28, new byte[6 * 784]), testImages = TestData.ImagesIdx(2, 27, 29, new byte[2 * 27 * 29]);
            File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), trainImages);
            File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), TestData.RealLabelsIdx(6));
            File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), testImages);
            File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), TestData.RealLabelsIdx(2));
            var e = Assert.Throws<InvalidDataException>(() => DataLoader.Load(dir));
            Assert.Contains("t10k-images-idx3-ubyte: has 783 pixels per image but", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A stream that cannot seek, as a pipe: the gzip's compressed size is unknown up front.</summary>
    private sealed class ForwardOnly(byte[] data) : Stream
    {
        private readonly MemoryStream inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
