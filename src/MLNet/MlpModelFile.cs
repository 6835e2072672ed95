using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Mlp.Data;
using Mlp.Serialization;

namespace Mlp.MLNet;

/// <summary>
/// Saves and loads ML.NET pipelines that contain Mlp stages, in one file that is an ML.NET model zip plus one Mlp model
/// file (safetensors, PyTorch layout) per stage. PyTorch analogue: <c>torch.save(model.state_dict())</c> beside the
/// preprocessing.
/// </summary>
/// <remarks>
/// ML.NET writes only its own components, so each <see cref="MlpTransformer"/> is written to ML.NET's part as a
/// <c>CustomMapping</c> placeholder (<see cref="MlpStageFactory"/>), and its weights, architecture and label key values go
/// into the entry <c>Mlp/stage-k.safetensors</c>. Loading reads ML.NET's part with <c>mlContext.Model.Load</c> and puts
/// each stage back. The file is written to a temporary file and renamed, so a failed save leaves no broken file.
/// </remarks>
public static class MlpModelFile
{
    private const string EntryPrefix = "Mlp/stage-";
    private const string FeaturesColumnKey = "mlp.mlnet.features_column";
    private const string KeyKindKey = "mlp.mlnet.label_key_kind";
    private const string KeyValuesKey = "mlp.mlnet.label_key_values";

    /// <summary>
    /// Writes <paramref name="model"/> (a transformer chain that may contain Mlp stages, or one stage) and the schema of
    /// its input to <paramref name="path"/>, replacing any file there. Read it back with <see cref="LoadMlpModel"/>.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (e.g. the loader's), or null.</param>
    /// <param name="path">The file to write.</param>
    /// <exception cref="NotSupportedException">A stage cannot be saved: its label key values are of a kind Mlp does not write,
    /// or another component of the pipeline cannot be saved by ML.NET. Nothing is written.</exception>
    public static void SaveMlpModel(this MLContext mlContext, ITransformer model, DataViewSchema? inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stages = new List<MlpTransformer>();
        var placeholder = Placeholder(mlContext);
        ITransformer Replace(ITransformer t) => t switch
        {
            MlpTransformer s => Add(s),
            IEnumerable<ITransformer> chain => new TransformerChain<ITransformer>(chain.Select(Replace).ToArray()),
            _ => t,
        };
        ITransformer Add(MlpTransformer s)
        {
            if (s.KeyValues.KindName is null)
                throw new NotSupportedException($"Mlp stage {stages.Count}: its label key values are of type {s.KeyValues.ItemType}, which Mlp cannot write; map the label to text or numbers before MapValueToKey. Nothing was written.");
            stages.Add(s);
            return placeholder;
        }
        var saved = Replace(model);

        using var zip = new MemoryStream();
        try
        {
            mlContext.Model.Save(saved, inputSchema, zip);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new NotSupportedException($"ML.NET could not save a component of this pipeline ({e.Message}). Nothing was written.", e);
        }
        using var file = new MemoryStream();
        file.Write(zip.ToArray());   // ML.NET may have closed its stream; add our entries to a fresh copy
        using (var archive = new ZipArchive(file, ZipArchiveMode.Update, leaveOpen: true))
        {
            for (int k = 0; k < stages.Count; k++)
            {
                var entry = archive.CreateEntry($"{EntryPrefix}{k}.safetensors", CompressionLevel.Fastest);
                using var s = entry.Open();
                s.Write(StageBytes(stages[k]));
            }
        }
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, file.ToArray());
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a pipeline written by <see cref="SaveMlpModel"/>: the model with its Mlp stages, and the saved input schema (or null).</summary>
    /// <param name="mlContext">The ML.NET context; Mlp's assembly is registered in its component catalog.</param>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file's Mlp entries are missing, corrupt or do not match its placeholders; the message names the file.</exception>
    public static (ITransformer Model, DataViewSchema? InputSchema) LoadMlpModel(this MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file.", path);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(MlpStageFactory).Assembly);
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
            throw new InvalidDataException($"{path}: {length} bytes, more than the {Array.MaxLength} one model file may have.");
        byte[] bytes = File.ReadAllBytes(path);
        ITransformer loaded;
        DataViewSchema? schema;
        try
        {
            using var ms = new MemoryStream(bytes, writable: false);
            loaded = mlContext.Model.Load(ms, out schema);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InvalidDataException))
        {
            throw new InvalidDataException($"{path}: not an ML.NET model zip ML.NET can read ({e.GetType().Name}: {e.Message}).", e);
        }
        List<byte[]> stages = [];
        using (var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read))
        {
            for (int k = 0; archive.GetEntry($"{EntryPrefix}{k}.safetensors") is { } entry; k++)
                stages.Add(ReadEntry(entry, $"{path}!{EntryPrefix}{k}.safetensors"));
        }
        int next = 0;
        ITransformer Restore(ITransformer t)
        {
            if (t is CustomMappingTransformer<MlpStageInput, MlpStageOutput>)
            {
                if (next >= stages.Count)
                    throw new InvalidDataException($"{path}: the pipeline has more Mlp placeholders than the {stages.Count} Mlp/stage-k.safetensors entries.");
                return StageFromBytes(stages[next], $"{path}!{EntryPrefix}{next++}.safetensors");
            }
            return t is IEnumerable<ITransformer> chain ? new TransformerChain<ITransformer>(chain.Select(Restore).ToArray()) : t;
        }
        var model = Restore(loaded);
        if (next != stages.Count)
            throw new InvalidDataException($"{path}: {stages.Count} Mlp stage entries but {next} placeholders in the pipeline.");
        return (model, schema);
    }

    // Reads one stage entry, decompressing no more than the archive says it holds and no more than the expansion
    // ceiling allows for its compressed size (DataLimits): a zip bomb is refused before it is expanded.
    private static byte[] ReadEntry(ZipArchiveEntry entry, string source)
    {
        long ceiling = DataLimits.MaxExpandedBytes(entry.CompressedLength);
        if (entry.Length > ceiling)
            throw new InvalidDataException($"{source}: decompression bomb: {entry.CompressedLength} compressed bytes claim to expand to {entry.Length} ({DataLimitsHelp}).");
        var bytes = new byte[entry.Length];
        using var s = entry.Open();
        int filled = 0;
        while (filled < bytes.Length && s.Read(bytes, filled, bytes.Length - filled) is var n && n > 0) filled += n;
        if (filled < bytes.Length) throw new InvalidDataException($"{source}: truncated: {filled} of the {bytes.Length} bytes the archive records.");
        if (s.ReadByte() >= 0) throw new InvalidDataException($"{source}: the entry holds more than the {bytes.Length} bytes the archive records.");
        return bytes;
    }

    private static string DataLimitsHelp =>
        $"at most {DataLimits.MaxGzipExpansion}× the compressed size plus {DataLimits.MinExpansionAllowance >> 20} MiB; set {DataLimits.GzipExpansionVariable} to allow more";

    private static ITransformer Placeholder(MLContext ml) =>
        ml.Transforms.CustomMapping<MlpStageInput, MlpStageOutput>(MlpStageFactory.Refuse, MlpStageFactory.ContractName)
          .Fit(ml.Data.LoadFromEnumerable(Array.Empty<MlpStageInput>()));

    // One stage as an Mlp model file (ModelFile: PyTorch layout, architecture in the metadata) plus what ML.NET needs.
    private static byte[] StageBytes(MlpTransformer s)
    {
        var meta = new Dictionary<string, string>
        {
            [FeaturesColumnKey] = s.FeatureColumnName,
            [KeyKindKey] = s.KeyValues.KindName!,
            [KeyValuesKey] = JsonSerializer.Serialize(s.KeyValues.Text),
        };
        return ModelFile.Serialize(s.Model.Network, s.Model.Weights, s.Model.Buffers, meta);
    }

    private static MlpTransformer StageFromBytes(byte[] bytes, string source)
    {
        SavedModel saved = ModelFile.Deserialize(bytes, source);
        string Meta(string key) => saved.Metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{source}: the metadata has no '{key}'.");
        string[]? values;
        try { values = JsonSerializer.Deserialize<string[]>(Meta(KeyValuesKey)); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: '{KeyValuesKey}' is not a JSON array of strings ({e.Message}).", e); }
        if (values is null || values.Any(v => v is null))
            throw new InvalidDataException($"{source}: '{KeyValuesKey}' is not a JSON array of strings.");
        var keyValues = LabelKeyValues.Parse(Meta(KeyKindKey), values, source);
        int features = saved.Model.InputFeatures
            ?? throw new InvalidDataException($"{source}: the model's first layer does not state its input size.");
        int outputs = saved.Predict(Tensor.Zeros([1, features])).Shape[1];
        if (keyValues.Count != outputs)
            throw new InvalidDataException($"{source}: '{KeyValuesKey}' names {keyValues.Count} classes but the model has {outputs} outputs.");
        return new MlpTransformer(saved.Model, saved.Parameters, Meta(FeaturesColumnKey), features, keyValues, [], buffers: saved.Buffers);
    }
}
