using Mlp.Models;
using Mlp.Serialization;

namespace Mlp.Tests.Pipeline;

/// <summary>ModelFile.Serialize / Deserialize: a model file's bytes without the file (used to embed models in ML.NET zips).</summary>
public sealed class ModelFileBytesTests : IDisposable
{
    private readonly string dir = PipelineFixtures.TempDir();

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Serialize_gives_exactly_the_bytes_Save_writes()
    {
        var model = Model.Perceptron(5, [4], 3);
        var p = model.Init(7);
        var meta = new Dictionary<string, string> { ["note"] = "x" };
        string path = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(path, model, p, meta);
        Assert.Equal(File.ReadAllBytes(path), ModelFile.Serialize(model, p, meta));
    }

    [Fact]
    public void Deserialize_rebuilds_the_architecture_parameters_and_metadata()
    {
        var model = Model.Perceptron(5, [4], 3);
        var p = model.Init(7);
        var back = ModelFile.Deserialize(ModelFile.Serialize(model, p, new Dictionary<string, string> { ["note"] = "x" }), "bytes");
        Assert.Equal(model.Architecture, back.Model.Architecture);
        Assert.True(p.BitwiseEquals(back.Parameters));
        Assert.Equal("x", back.Metadata["note"]);
    }

    [Fact]
    public void Deserialize_names_the_source_of_corrupt_bytes()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Deserialize([1, 2, 3], "model.zip!stage-0"));
        Assert.Contains("model.zip!stage-0", e.Message);
    }
}
