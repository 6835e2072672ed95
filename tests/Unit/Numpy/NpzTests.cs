using System.IO.Compression;
using Mlp.Numpy;
using Mlp.Tests.Reference;

namespace Mlp.Tests.Numpy;

public class NpzTests
{
    [Theory]
    [InlineData("stored.npz")]
    [InlineData("deflated.npz")]
    public void Numpy_archives_read_stored_and_deflated_with_every_array(string file)
    {
        var npz = NpzReader.Read(Fixtures.Numpy(file));
        Assert.Equal(["a", "labels", "pixels", "scalar"], npz.Names);
        Assert.Equal([3, 2], npz["a"].Shape);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i * 0.5f - 1f), npz["a"].ToTensor().ToArray());
        Assert.Equal([0L, 1, 2, 3], npz["labels"].ToInt64Array());
        Assert.Equal(NpyDType.UInt8, npz["pixels"].DType);
        Assert.Equal(2.5, npz["scalar"].ToDoubleArray().Single());
    }

    public static TheoryData<bool> Compression => new() { false, true };

    [Theory]
    [MemberData(nameof(Compression))]
    public void Written_archives_read_back_bit_for_bit(bool compressed)
    {
        var rng = new Rng(7);
        var arrays = new KeyValuePair<string, NpyArray>[]
        {
            new("w", NpyArray.FromTensor(rng.Normal(4, 3))),
            new("d", NpyArray.FromFloat64([Math.PI, -0.0, double.Epsilon], [3])),
            new("i", NpyArray.FromInt64([long.MinValue, 0, long.MaxValue], [3, 1])),
            new("j", NpyArray.FromInt32([-7, 7], [2])),
            new("u", NpyArray.FromUInt8([0, 255], [1, 2])),
            new("s", NpyArray.FromTensor(Tensor.Scalar(1.25f))),
            new("z", NpyArray.FromTensor(Tensor.Zeros(1000))),
        };
        using var ms = new MemoryStream();
        NpzWriter.WriteTo(ms, arrays, compressed);
        ms.Position = 0;
        var back = NpzReader.Read(ms, "memory");
        Assert.Equal(arrays.Select(a => a.Key), back.Names);
        foreach (var (name, a) in arrays)
        {
            Assert.Equal(a.DType, back[name].DType);
            Assert.Equal(a.Shape, back[name].Shape);
            Assert.Equal(a.Bytes.ToArray(), back[name].Bytes.ToArray());
        }
        using var zip = new ZipArchive(new MemoryStream(ms.ToArray()));
        var zeros = zip.GetEntry("z.npy")!;
        if (compressed) Assert.True(zeros.CompressedLength < zeros.Length / 10, "deflate shrinks 4000 zero bytes");
        else Assert.Equal(zeros.Length, zeros.CompressedLength);
    }

    [Fact]
    public void Numpy_reads_what_we_write()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlp-{Guid.NewGuid():N}.npz");
        try
        {
            NpzWriter.WriteCompressed(path, [
                new("w", NpyArray.FromFloat32([1.5f, -2f, 3f, 0.25f, 5f, 6f], [2, 3])),
                new("labels", NpyArray.FromInt64([3, 1, 4], [3])),
                new("s", NpyArray.FromFloat64([2.5], [])),
            ]);
            Python.Require("numpy");
            string script = "import numpy as np, sys; d = np.load(sys.argv[1]); " +
                "print(d['w'].dtype, d['w'].shape, d['w'][1, 2], d['labels'].dtype, d['labels'].sum(), d['s'].dtype, d['s'].shape, float(d['s']))";
            string stdout = Python.Run(["-c", script, path], TimeSpan.FromMinutes(5));
            Assert.Equal("float32 (2, 3) 6.0 int64 8 float64 () 2.5", stdout.Trim());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_missing_array_is_named_with_the_ones_present()
    {
        var npz = NpzReader.Read(Fixtures.Numpy("stored.npz"));
        var e = Assert.Throws<InvalidDataException>(() => npz["b"]);
        Assert.Contains("stored.npz", e.Message);
        Assert.Contains("'b'", e.Message);
        Assert.Contains("a, labels, pixels, scalar", e.Message);
    }

    [Fact]
    public void A_wrongly_shaped_array_is_named_with_both_shapes()
    {
        var npz = NpzReader.Read(Fixtures.Numpy("stored.npz"));
        var e = Assert.Throws<InvalidDataException>(() => npz.GetTensor("a", [2, 3]));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("(3, 2)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_InvalidData_naming_it()
    {
        string path = Fixtures.Numpy("f4_2x3.npy"); // an .npy, not an .npz
        var e = Assert.Throws<InvalidDataException>(() => NpzReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_truncated_archive_is_InvalidData_naming_it()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Numpy("deflated.npz"));
        var e = Assert.Throws<InvalidDataException>(() => NpzReader.Read(new MemoryStream(bytes[..(bytes.Length / 2)]), "half.npz"));
        Assert.StartsWith("half.npz", e.Message);
    }

    [Fact]
    public void A_bad_array_inside_an_archive_names_the_archive_and_the_array()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("bad.npy").Open();
            s.Write(File.ReadAllBytes(Fixtures.Numpy("bigendian_f4.npy")));
        }
        ms.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => NpzReader.Read(ms, "arch.npz"));
        Assert.Contains("arch.npz", e.Message);
        Assert.Contains("'bad'", e.Message);
        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void Damaged_data_in_a_stored_archive_fails_its_CRC_and_names_the_array()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Numpy("stored.npz"));
        int header = bytes.AsSpan().IndexOf("NUMPY"u8);                // the first entry, 'a'
        int data = bytes.AsSpan(header).IndexOf((byte)'\n') + header + 1;
        bytes[data + 3] ^= 0x10;                                      // one bit of a float: still a valid .npy
        var e = Assert.Throws<InvalidDataException>(() => NpzReader.Read(new MemoryStream(bytes), "flipped.npz"));
        Assert.Contains("flipped.npz (array 'a')", e.Message);
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void Writing_a_repeated_name_is_refused()
    {
        var a = NpyArray.FromFloat32([1f], [1]);
        var e = Assert.Throws<ArgumentException>(() => NpzWriter.WriteTo(new MemoryStream(), [new("x", a), new("x", a)], false));
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void An_archive_read_for_some_names_refuses_to_say_a_skipped_array_is_absent()
    {
        var npz = NpzReader.Read(Fixtures.Numpy("stored.npz"), ["a"]);
        Assert.True(npz.ContainsKey("a"));
        Assert.Equal(["a"], npz.Names);
        // "scalar" is in the file but was not read: "absent" would be a lie that silently picks a default.
        var e = Assert.Throws<InvalidOperationException>(() => npz.ContainsKey("scalar"));
        Assert.Contains("stored.npz", e.Message);
        Assert.Contains("'scalar'", e.Message);
        Assert.Throws<InvalidOperationException>(() => npz.TryGetValue("scalar", out _));
        Assert.Throws<InvalidOperationException>(() => npz["scalar"]);
        Assert.False(NpzReader.Read(Fixtures.Numpy("stored.npz")).ContainsKey("nothing")); // read whole, absent is absent
    }
}
