using Mlp.Numpy;
using Mlp.Tests.Reference;

namespace Mlp.Tests.Numpy;

/// <summary>Files written by numpy itself (tools/make_numpy_fixtures.py); values are base(n) = arange(n)·0.5 − 1.</summary>
public class NpyReaderTests
{
    private static float[] Base(int n) => Enumerable.Range(0, n).Select(i => i * 0.5f - 1f).ToArray();

    [Theory]
    [InlineData("f4_2x3.npy")]
    [InlineData("f4_2x3_v2.npy")]
    [InlineData("f4_2x3_v3.npy")]
    public void Float32_matrix_reads_with_shape_and_values_in_every_format_version(string file)
    {
        var a = NpyReader.Read(Fixtures.Numpy(file));
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal([2, 3], a.Shape);
        var t = a.ToTensor();
        Assert.Equal(Base(6), t.ToArray());
        Assert.Equal(0.5f, t[1, 0]); // C order: row 1 starts with element 3
    }

    [Fact]
    public void Float64_vector_keeps_full_precision_as_doubles()
    {
        var a = NpyReader.Read(Fixtures.Numpy("f8_5.npy"));
        Assert.Equal(NpyDType.Float64, a.DType);
        Assert.Equal([5], a.Shape);
        Assert.Equal(Base(5).Select(v => (double)v), a.ToDoubleArray());
    }

    [Fact]
    public void Int64_labels_read_as_longs()
    {
        var a = NpyReader.Read(Fixtures.Numpy("i8_labels.npy"));
        Assert.Equal(NpyDType.Int64, a.DType);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)(i % 7 - 2)), a.ToInt64Array());
    }

    [Fact]
    public void Int32_cube_reads_in_C_order()
    {
        var a = NpyReader.Read(Fixtures.Numpy("i4_2x2x2.npy"));
        Assert.Equal(NpyDType.Int32, a.DType);
        Assert.Equal([2, 2, 2], a.Shape);
        Assert.Equal(Enumerable.Range(-4, 8).Select(i => (long)i), a.ToInt64Array());
        Assert.Equal(3f, a.ToTensor()[1, 1, 1]);
    }

    [Fact]
    public void Uint8_pixels_read_as_bytes_and_floats()
    {
        var a = NpyReader.Read(Fixtures.Numpy("u1_3x4.npy"));
        Assert.Equal(NpyDType.UInt8, a.DType);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)(i * 21 % 256)), a.ToInt64Array());
        Assert.Equal(231f, a.ToTensor()[2, 3]);
    }

    [Fact]
    public void Rank_zero_array_is_a_scalar()
    {
        var a = NpyReader.Read(Fixtures.Numpy("f4_scalar.npy"));
        Assert.Empty(a.Shape);
        Assert.Equal(-1.5f, a.ToTensor().ToScalar());
    }

    [Fact]
    public void Empty_array_keeps_its_shape()
    {
        var a = NpyReader.Read(Fixtures.Numpy("f4_0x3.npy"));
        Assert.Equal([0, 3], a.Shape);
        Assert.Equal(0, a.ToTensor().Length);
    }

    [Fact]
    public void Float_array_refuses_conversion_to_longs_naming_its_dtype()
    {
        var e = Assert.Throws<InvalidOperationException>(() => NpyReader.Read(Fixtures.Numpy("f4_2x3.npy")).ToInt64Array());
        Assert.Contains("<f4", e.Message);
    }

    [Theory]
    [InlineData("fortran_2x3.npy", "Fortran")]
    [InlineData("bigendian_f4.npy", "big-endian")]
    [InlineData("object.npy", "Python objects")]
    [InlineData("structured.npy", "structured")]
    [InlineData("c8.npy", "'<c8' is not supported")]
    public void Unsupported_layouts_and_dtypes_are_refused_naming_the_file_and_the_reason(string file, string reason)
    {
        string path = Fixtures.Numpy(file);
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_truncated_file_says_how_many_bytes_are_missing()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Numpy("f4_2x3.npy"));
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.FromBytes(bytes[..^5], "cut.npy"));
        Assert.Contains("cut.npy", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("needs 24 data bytes but only 19", e.Message);
    }

    [Fact]
    public void A_header_claiming_a_huge_shape_is_refused_before_allocating()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Numpy("f4_2x3.npy"));
        string header = System.Text.Encoding.Latin1.GetString(bytes, 10, bytes.Length - 10 - 24);
        string huge = header.Replace("(2, 3)", "(2000000, 3000000)");
        huge = huge.Remove(huge.Length - 1 - (huge.Length - header.Length)) + "\n"; // keep the header length
        Assert.Equal(header.Length, huge.Length);
        System.Text.Encoding.Latin1.GetBytes(huge, bytes.AsSpan(10));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.FromBytes(bytes, "huge.npy"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "reading a lying header must not allocate its claimed size");
        Assert.Contains("(2000000, 3000000)", e.Message);
    }

    [Fact]
    public void A_file_without_the_magic_is_not_a_npy()
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyReader.FromBytes("PK\x03\x04 not numpy"u8.ToArray(), "x.npy"));
        Assert.Contains("x.npy", e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void A_missing_file_is_FileNotFound_naming_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => NpyReader.Read("/nonexistent/a.npy"));
        Assert.Contains("/nonexistent/a.npy", e.Message);
    }
}
