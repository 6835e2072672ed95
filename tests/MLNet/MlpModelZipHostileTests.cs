using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Mlp.MLNet.Tests.DataView;

namespace Mlp.MLNet.Tests;

/// <summary>
/// Issue 12: hostile ML.NET model zips (mlp has no command that reads them, so the attack runs here, in process):
/// a stage entry that is a decompression bomb, label values that disagree with the model, a key-values entry that is
/// not JSON. Each is an <see cref="InvalidDataException"/> naming the file, and the bomb is refused before it is
/// expanded (allocation measured).
/// </summary>
public sealed class MlpModelZipHostileTests : IDisposable
{
    private static readonly MLContext Ml = new(seed: 0);
    private readonly string dir = Directory.CreateTempSubdirectory("mlp-zip-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private string SavedZip()
    {
        var view = Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2));
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
        var model = Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [4], Epochs = 1, BatchSize = 4 }).Fit(keyed);
        string path = Path.Combine(dir, "model.zip");
        Ml.SaveMlpModel(model, keyed.Schema, path);
        return path;
    }

    // Replaces the stage entry's content, written streaming (a bomb is never held in memory here either).
    private static void ReplaceStage(string zipPath, Action<Stream> write)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        zip.GetEntry("Mlp/stage-0.safetensors")!.Delete();
        using var s = zip.CreateEntry("Mlp/stage-0.safetensors", CompressionLevel.Optimal).Open();
        write(s);
    }

    private static byte[] Stage(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        using var s = zip.GetEntry("Mlp/stage-0.safetensors")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static byte[] WithMeta(byte[] stage, string key, string value)
    {
        long n = BinaryPrimitives.ReadInt64LittleEndian(stage);
        var node = JsonNode.Parse(Encoding.UTF8.GetString(stage, 8, (int)n))!.AsObject();
        node["__metadata__"]![key] = value;
        byte[] json = Encoding.UTF8.GetBytes(node.ToJsonString());
        return [.. BitConverter.GetBytes((long)json.Length), .. json, .. stage[(8 + (int)n)..]];
    }

    [Fact]
    public void A_stage_entry_that_is_a_decompression_bomb_is_refused_before_it_expands()
    {
        string path = SavedZip();
        ReplaceStage(path, s =>
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) s.Write(zeros);
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Ml.LoadMlpModel(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "the 256 MB entry was not expanded");
        Assert.StartsWith($"{path}!Mlp/stage-0.safetensors: decompression bomb", e.Message);
    }

    [Fact]
    public void Label_values_that_disagree_with_the_model_are_refused()
    {
        string path = SavedZip();
        byte[] stage = WithMeta(Stage(path), "mlp.mlnet.label_key_values", "[\"0\",\"1\",\"2\"]");
        ReplaceStage(path, s => s.Write(stage));
        var e = Assert.Throws<InvalidDataException>(() => Ml.LoadMlpModel(path));
        Assert.Contains("names 3 classes but the model has 2 outputs", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Key_values_that_are_not_json_are_refused_as_invalid_data()
    {
        string path = SavedZip();
        byte[] stage = WithMeta(Stage(path), "mlp.mlnet.label_key_values", "[\"0\",");
        ReplaceStage(path, s => s.Write(stage));
        var e = Assert.Throws<InvalidDataException>(() => Ml.LoadMlpModel(path));
        Assert.Contains("is not a JSON array of strings", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused_naming_it()
    {
        string path = Path.Combine(dir, "junk.zip");
        File.WriteAllBytes(path, "not a zip at all"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => Ml.LoadMlpModel(path));
        Assert.StartsWith(path + ": ", e.Message);
    }
}
