using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

/// <summary>
/// Issue 12, items 4, 9, 10: model files and checkpoints that are malformed or hold unusable state are refused at load
/// with an <see cref="InvalidDataException"/> naming the file (and the tensor or key); writes leave nothing behind.
/// </summary>
public sealed class ModelFileHardeningTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mlp-modelfile-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private string PathOf(string name) => Path.Combine(dir, name);

    private static readonly Model Small = Model.Perceptron(3, [2], 2);

    private static (string Json, byte[] Data) Split(byte[] file)
    {
        long n = BinaryPrimitives.ReadInt64LittleEndian(file);
        return (Encoding.UTF8.GetString(file, 8, (int)n), file[(8 + (int)n)..]);
    }

    private static byte[] Join(byte[] json, byte[] data)
    {
        var b = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(b, json.Length);
        json.CopyTo(b, 8);
        data.CopyTo(b, 8 + json.Length);
        return b;
    }

    private string ModelWith(Func<string, string> header, Func<byte[], byte[]>? data = null, IReadOnlyDictionary<string, string>? meta = null)
    {
        string path = PathOf("m.safetensors");
        ModelFile.Save(path, Small, Small.Init(1), meta);
        var (json, d) = Split(File.ReadAllBytes(path));
        File.WriteAllBytes(path, Join(Encoding.UTF8.GetBytes(header(json)), data?.Invoke(d) ?? d));
        return path;
    }

    private static void Refused(Action load, string path, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(load);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void A_model_file_with_a_non_finite_weight_is_refused_naming_the_tensor(float bad, string shown)
    {
        string path = ModelWith(j => j, d => { var c = (byte[])d.Clone(); BinaryPrimitives.WriteSingleLittleEndian(c.AsSpan(4), bad); return c; });
        Refused(() => ModelFile.Load(path), path, $"tensor '0.weight' holds {shown} at flat index 1; weights must be finite");
    }

    [Fact]
    public void A_file_over_2_GB_is_refused_before_it_is_read()
    {
        string path = PathOf("huge.safetensors");
        using (var f = File.Create(path)) f.SetLength(3L << 30);   // sparse: no disk, no memory
        Refused(() => ModelFile.Load(path), path, "it has 3221225472 bytes, more than the");
        Refused(() => CheckpointFile.Load(path), path, "it has 3221225472 bytes, more than the");
    }

    [Fact]
    public void Duplicate_keys_in_the_header_are_refused() =>
        Refused(() => ModelFile.Load(ModelWith(j => j.Replace("\"__metadata__\":{", "\"__metadata__\":{\"format\":\"pt\","))), PathOf("m.safetensors"), "the header is not valid JSON");

    [Fact]
    public void A_header_that_is_not_utf8_is_refused()
    {
        string path = PathOf("m.safetensors");
        ModelFile.Save(path, Small, Small.Init(1), null);
        var (json, d) = Split(File.ReadAllBytes(path));
        byte[] j = Encoding.UTF8.GetBytes(json);
        int at = Encoding.UTF8.GetString(j).IndexOf("pt", StringComparison.Ordinal);
        j[at] = 0xC3;
        j[at + 1] = 0x28;
        File.WriteAllBytes(path, Join(j, d));
        Refused(() => ModelFile.Load(path), path, "not valid UTF-8");
    }

    [Theory]
    [InlineData("0", "'mlp.input_std' is '0', not a finite number > 0")]
    [InlineData("NaN", "'mlp.input_std' is 'NaN', not a finite number > 0")]
    [InlineData("zero point three", "'mlp.input_std' is 'zero point three', not a finite number > 0")]
    public void Stored_input_statistics_that_cannot_normalize_are_refused(string std, string problem)
    {
        string path = PathOf("m.safetensors");
        ModelFile.Save(path, Small, Small.Init(1), new Dictionary<string, string> { [SavedModel.InputMeanKey] = "0.5", [SavedModel.InputStdKey] = std });
        var saved = ModelFile.Load(path);
        Refused(() => saved.InputStatistics(path), path, problem);
    }

    [Fact]
    public void Stored_input_statistics_read_back_and_are_absent_when_not_stored()
    {
        string path = PathOf("m.safetensors");
        ModelFile.Save(path, Small, Small.Init(1), new Dictionary<string, string> { [SavedModel.InputMeanKey] = "0.25", [SavedModel.InputStdKey] = "0.5" });
        Assert.Equal((0.25f, 0.5f), ModelFile.Load(path).InputStatistics(path));
        ModelFile.Save(path, Small, Small.Init(1), null);
        Assert.Null(ModelFile.Load(path).InputStatistics(path));
    }

    private string CheckpointWith(IOptimizer opt, Func<JsonObject, JsonObject>? meta = null)
    {
        string path = PathOf("c.ckpt");
        CheckpointFile.Save(path, new Checkpoint(Small, opt, new TrainingOptions(2, 4, 1), TrainingState.Start(Small, opt, 1), new Dictionary<string, string>()));
        if (meta != null)
        {
            var (json, d) = Split(File.ReadAllBytes(path));
            var node = JsonNode.Parse(json)!.AsObject();
            node["__metadata__"] = meta(node["__metadata__"]!.AsObject().DeepClone().AsObject());
            File.WriteAllBytes(path, Join(Encoding.UTF8.GetBytes(node.ToJsonString()), d));
        }
        return path;
    }

    [Theory]
    [InlineData("lr", "0", "the optimizer's lr is 0; it must be in (0, ∞)")]
    [InlineData("lr", "-1", "the optimizer's lr is -1; it must be in (0, ∞)")]
    [InlineData("beta1", "1", "the optimizer's beta1 is 1; it must be in [0, 1)")]
    [InlineData("beta2", "1.5", "the optimizer's beta2 is 1.5; it must be in [0, 1)")]
    [InlineData("eps", "0", "the optimizer's eps is 0; it must be in (0, ∞)")]
    public void Checkpoint_hyper_parameters_outside_their_range_are_refused(string key, string value, string problem)
    {
        string path = CheckpointWith(new Adam(0.01f), m =>
        {
            var o = JsonNode.Parse(m["mlp.optimizer"]!.GetValue<string>())!.AsObject();
            o[key] = JsonNode.Parse(value);
            m["mlp.optimizer"] = o.ToJsonString();
            return m;
        });
        Refused(() => CheckpointFile.Load(path), path, problem);
    }

    [Fact]
    public void A_checkpoint_missing_its_optimizer_buffers_is_refused()
    {
        string path = CheckpointWith(new Adam(0.01f), m => { m["mlp.optimizer.buffers"] = "[\"exp_avg\"]"; return m; });
        Refused(() => CheckpointFile.Load(path), path, "needs the optimizer buffer 'exp_avg_sq'");
    }

    [Fact]
    public void A_good_checkpoint_still_loads()
    {
        string path = CheckpointWith(new Adam(0.01f));
        Assert.Equal(new Adam(0.01f), CheckpointFile.Load(path).Optimizer);
    }

    [Fact]
    public void A_write_removes_the_temporary_files_of_killed_writers_and_keeps_live_ones()
    {
        string target = PathOf("m.safetensors");
        // A pid no process can have: one above the kernel's maximum.
        int deadPid = int.Parse(File.Exists("/proc/sys/kernel/pid_max") ? File.ReadAllText("/proc/sys/kernel/pid_max").Trim() : "4194304") + 1;
        string stale = PathOf($".m.safetensors.{deadPid}.{Guid.NewGuid():N}.tmp");
        string live = PathOf($".m.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string other = PathOf($".other.safetensors.{deadPid}.{Guid.NewGuid():N}.tmp");
        foreach (var f in new[] { stale, live, other }) File.WriteAllBytes(f, [1]);
        ModelFile.Save(target, Small, Small.Init(1), null);
        Assert.False(File.Exists(stale), "the dead writer's temporary file is removed");
        Assert.True(File.Exists(live), "a live writer's (this process's) temporary file is left alone");
        Assert.True(File.Exists(other), "temporary files of other targets are left alone");
    }

    [Fact]
    public void Writing_over_a_directory_is_refused_without_leaving_a_temporary_file()
    {
        string target = PathOf("adir");
        Directory.CreateDirectory(target);
        var e = Assert.Throws<IOException>(() => ModelFile.Save(target, Small, Small.Init(1), null));
        Assert.Contains("is a directory", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Npz_predictions_are_written_atomically()
    {
        string target = PathOf("p.npz");
        Mlp.Numpy.NpzWriter.Write(target, new Dictionary<string, Mlp.Numpy.NpyArray> { ["a"] = Mlp.Numpy.NpyArray.FromFloat32([1, 2], [2]) });
        Assert.Equal(["p.npz"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.Equal(new float[] { 1, 2 }, Mlp.Numpy.NpzReader.Read(target).GetTensor("a", [2]).ToArray());
    }
}
