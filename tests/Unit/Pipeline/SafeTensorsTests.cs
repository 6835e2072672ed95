using System.Buffers.Binary;
using System.Text;
using Mlp.Models;
using Mlp.Serialization;

namespace Mlp.Tests.Pipeline;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string dir = PipelineFixtures.TempDir();

    public void Dispose() => Directory.Delete(dir, true);

    private string PathOf(string name) => Path.Combine(dir, name);

    [Fact]
    public void Tensors_and_metadata_survive_a_round_trip()
    {
        NamedTensor[] tensors = [new("a", new Rng(1).Normal(3, 4)), new("b.c", Tensor.FromArray([1, -2, float.MaxValue], 3)), new("s", Tensor.Scalar(7))];
        string path = PathOf("t.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        var back = SafeTensors.Load(path);
        Assert.Equal(tensors.Select(t => t.Name), back.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].Value.Shape, back.Tensors[i].Value.Shape);
            Assert.Equal(tensors[i].Value.ToArray(), back.Tensors[i].Value.ToArray());
        }
        Assert.Equal("v", back.Metadata["k"]);
    }

    [Fact]
    public void The_file_is_a_little_endian_length_a_json_header_and_raw_float32_data()
    {
        byte[] bytes = SafeTensors.Serialize([new("x", Tensor.FromArray([1.5f, -2f], 2))], new Dictionary<string, string>());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);                                           // data starts 8-byte aligned
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        Assert.Equal("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", header);
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(12 + (int)n)));
        Assert.Equal(8 + (int)n + 8, bytes.Length);
    }

    [Fact]
    public void Int64_tensors_are_written_as_I64_little_endian_after_the_floats_and_read_back()
    {
        byte[] bytes = SafeTensors.Serialize([new("x", Tensor.FromArray([1.5f], 1))],
            [new NamedInt64Tensor("n", [], [long.MaxValue - 1]), new NamedInt64Tensor("m", [2], [-3, 5])], new Dictionary<string, string>());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        Assert.Equal("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"n":{"dtype":"I64","shape":[],"data_offsets":[4,12]},"m":{"dtype":"I64","shape":[2],"data_offsets":[12,28]}}""", header);
        Assert.Equal(long.MaxValue - 1, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8 + (int)n + 4)));
        var back = SafeTensors.Deserialize(bytes, "bytes");
        Assert.Equal(["x"], back.Tensors.Select(t => t.Name));
        Assert.Equal(["n", "m"], back.Int64Tensors.Select(t => t.Name));
        Assert.Equal([long.MaxValue - 1], back.Int64Tensors[0].Values);
        Assert.Empty(back.Int64Tensors[0].Shape);
        Assert.Equal([-3L, 5L], back.Int64Tensors[1].Values);
        Assert.Contains("shape [2] but 1 values", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Serialize([], [new NamedInt64Tensor("m", [2], [1])], new Dictionary<string, string>())).Message);
        // An I64 tensor whose byte range does not hold 8 bytes per element is refused like an F32 one.
        string path = Corrupt(_ => WithHeader("""{"w":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}"""));
        Assert.Contains("(16 bytes of I64) but data offsets [0, 8]", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
    }

    [Fact]
    public void A_model_file_stores_linear_weights_in_pytorch_layout_and_loads_back_to_the_same_model()
    {
        var model = Model.Perceptron(6, [4], 3);
        var p = model.Init(2);
        string path = PathOf("m.safetensors");
        ModelFile.Save(path, model, p, new Dictionary<string, string> { ["mlp.input_mean"] = "0.25" });
        var raw = SafeTensors.Load(path);
        var w0 = raw.Tensors.Single(t => t.Name == "0.weight").Value;
        Assert.Equal([4, 6], w0.Shape);                                     // PyTorch's (out, in)
        Assert.Equal(p["0.weight"].Transpose().ToArray(), w0.ToArray());
        Assert.Equal("""["Linear(6, 4)","ReLU()","Linear(4, 3)"]""", raw.Metadata[ModelFile.LayersKey]);

        var loaded = ModelFile.Load(path);
        Assert.Equal(model.Architecture, loaded.Model.Architecture);
        Assert.True(p.BitwiseEquals(loaded.Parameters));
        Assert.Equal("0.25", loaded.Metadata["mlp.input_mean"]);
        Assert.True(p.BitwiseEquals(ModelFile.LoadParameters(path, model)));
    }

    [Fact]
    public void Saving_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        string path = PathOf("m.safetensors");
        var model = Model.Perceptron(3, [2], 2);
        ModelFile.Save(path, model, model.Init(1), null);
        ModelFile.Save(path, model, model.Init(2), null);
        Assert.Equal(["m.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.True(model.Init(2).BitwiseEquals(ModelFile.Load(path).Parameters));
    }

    private string Corrupt(Func<byte[], byte[]> change)
    {
        byte[] good = SafeTensors.Serialize([new("w", Tensor.FromArray([1, 2, 3, 4], 2, 2))], new Dictionary<string, string> { ["a"] = "b" });
        string path = PathOf("bad.safetensors");
        File.WriteAllBytes(path, change(good));
        return path;
    }

    private static byte[] WithHeader(string json)
    {
        byte[] h = Encoding.UTF8.GetBytes(json);
        var b = new byte[8 + h.Length + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    public static TheoryData<string, string> CorruptCases => new()
    {
        { "empty", "fewer than the 8-byte header length" },
        { "truncated_data", "outside the" },
        { "huge_header_length", "exceeds" },
        { "not_json", "not valid JSON" },
        { "wrong_dtype", "dtype F64" },
        { "shape_offsets_disagree", "data offsets [0, 12]" },
        { "negative_dim", "invalid shape entry" },
        { "overlap", "overlapping or gapped" },
        { "metadata_not_strings", "not a string" },
    };

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void A_corrupt_file_is_refused_with_an_error_naming_the_file(string kind, string expected)
    {
        string path = kind switch
        {
            "empty" => Corrupt(_ => []),
            "truncated_data" => Corrupt(b => b[..^4]),
            "huge_header_length" => Corrupt(b => { BinaryPrimitives.WriteUInt64LittleEndian(b, ulong.MaxValue / 2); return b; }),
            "not_json" => Corrupt(b => { b[8] = (byte)'x'; return b; }),
            "wrong_dtype" => Corrupt(_ => WithHeader("""{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}""")),
            "shape_offsets_disagree" => Corrupt(_ => WithHeader("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}""")),
            "negative_dim" => Corrupt(_ => WithHeader("""{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""")),
            "overlap" => Corrupt(_ => WithHeader("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"v":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""")),
            "metadata_not_strings" => Corrupt(_ => WithHeader("""{"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""")),
            _ => throw new ArgumentException(kind),
        };
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_model_file_whose_tensors_do_not_fit_the_architecture_is_refused_naming_the_tensor()
    {
        string path = PathOf("m.safetensors");
        var model = Model.Perceptron(6, [4], 3);
        var p = model.Init(0);
        var tensors = ModelFile.ToTorch(model, p).Select(t => t.Name == "2.bias" ? t with { Value = Tensor.Zeros(5) } : t).ToArray();
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [ModelFile.LayersKey] = """["Linear(6, 4)","ReLU()","Linear(4, 3)"]""" });
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'2.bias'", e.Message);
        Assert.Contains("(5,)", e.Message);
    }

    [Fact]
    public void A_file_without_an_architecture_says_how_to_load_it()
    {
        string path = PathOf("plain.safetensors");
        SafeTensors.Save(path, [new("w", Tensor.Zeros(2))], new Dictionary<string, string>());
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("LoadParameters", e.Message);
    }
}
