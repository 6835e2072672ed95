using System.Text.Json;
using Mlp.Data;
using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>
/// Saves and loads a model as safetensors that PyTorch accepts: tensors under <c>state_dict</c> names in PyTorch's
/// layout (a linear weight as (out, in)), so <c>nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
/// .load_state_dict(…)</c> takes them, and the architecture in <c>__metadata__</c> under <c>mlp.layers</c>.
/// </summary>
/// <remarks>
/// Buffers are stored as PyTorch stores them: a BatchNorm1d at index N has <c>N.weight</c>, <c>N.bias</c>,
/// <c>N.running_mean</c>, <c>N.running_var</c> (F32) and <c>N.num_batches_tracked</c> (I64, 0-dimensional), so
/// <c>load_state_dict(strict=True)</c> accepts the file.
/// </remarks>
public static class ModelFile
{
    /// <summary>Metadata key: the layers as a JSON array of their names, e.g. <c>["Linear(784, 100)", "ReLU()", …]</c>.</summary>
    public const string LayersKey = "mlp.layers";

    /// <summary>Metadata key: what the file is, <c>model</c> or <c>checkpoint</c>.</summary>
    public const string KindKey = "mlp.kind";

    /// <summary>
    /// Writes <paramref name="model"/>'s architecture, <paramref name="parameters"/> and the input
    /// <paramref name="normalization"/> it was trained with to <paramref name="path"/> atomically, so that
    /// <c>mlp eval</c>, <c>mlp export</c> and <see cref="SavedModel.Normalization"/> find the statistics.
    /// </summary>
    /// <param name="path">The <c>.safetensors</c> file to create or replace.</param>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="normalization">The training mean and std, e.g. from <see cref="Data.Normalization.ByTrainStatistics"/>.</param>
    /// <param name="metadata">Extra string metadata, or null.</param>
    /// <exception cref="ArgumentException">The parameters do not match the model, or the normalization is not finite.</exception>
    public static void Save(string path, Model model, Parameters parameters, InputNormalization normalization,
                            IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, model, parameters, Buffers.Empty, normalization, metadata);

    /// <summary>
    /// Writes <paramref name="model"/>'s architecture, <paramref name="parameters"/>, <paramref name="buffers"/> (running
    /// statistics) and the input <paramref name="normalization"/> to <paramref name="path"/> atomically.
    /// </summary>
    /// <param name="path">The <c>.safetensors</c> file to create or replace.</param>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="buffers">Its buffers, e.g. <c>result.State.Buffers</c>.</param>
    /// <param name="normalization">The training mean and std.</param>
    /// <param name="metadata">Extra string metadata, or null.</param>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model, or the normalization is not finite.</exception>
    public static void Save(string path, Model model, Parameters parameters, Buffers buffers, InputNormalization normalization,
                            IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata != null) foreach (var kv in metadata) meta[kv.Key] = kv.Value;
        foreach (var kv in normalization.ToMetadata()) meta[kv.Key] = kv.Value;
        Save(path, model, parameters, buffers, meta);
    }

    /// <summary>
    /// Writes <paramref name="model"/>'s architecture and <paramref name="parameters"/> to <paramref name="path"/> atomically.
    /// The file carries an input normalization only if <paramref name="metadata"/> has <see cref="InputNormalization.MeanKey"/>
    /// and <see cref="InputNormalization.StdKey"/>; prefer the overload taking an <see cref="InputNormalization"/>.
    /// </summary>
    /// <param name="path">The <c>.safetensors</c> file to create or replace.</param>
    /// <param name="model">The model.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <param name="metadata">Extra string metadata, or null.</param>
    /// <exception cref="ArgumentException">The parameters do not match the model.</exception>
    public static void Save(string path, Model model, Parameters parameters, IReadOnlyDictionary<string, string>? metadata) =>
        Save(path, model, parameters, Buffers.Empty, metadata);

    /// <summary>
    /// Writes <paramref name="model"/>'s architecture, <paramref name="parameters"/> and <paramref name="buffers"/> to
    /// <paramref name="path"/> atomically, with <paramref name="metadata"/> (see the overload without buffers).
    /// </summary>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model.</exception>
    public static void Save(string path, Model model, Parameters parameters, Buffers buffers, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var (tensors, counts) = ToTorch(model, parameters, buffers);
        SafeTensors.Save(path, tensors, counts, Metadata(model, "model", metadata));
    }

    /// <summary>Reads a model file written by <see cref="Save(string, Model, Parameters, InputNormalization, IReadOnlyDictionary{string, string})"/> (or any safetensors file with <c>mlp.layers</c> metadata and matching tensors).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, has no architecture, names a layer that is not built in, its tensors do not match the architecture, or a tensor holds NaN or ±∞; the message names the file (and the tensor).</exception>
    public static SavedModel Load(string path) => Load(path, LayerRegistry.BuiltIn);

    /// <summary>
    /// Reads a model file whose layers <paramref name="registry"/> can rebuild: the built-ins and the user's own layers
    /// registered with <see cref="LayerRegistry.With"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, has no architecture, names a layer the registry does not know, or its tensors do not match the architecture; the message names the file.</exception>
    public static SavedModel Load(string path, LayerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var content = SafeTensors.Load(path);
        Model model = ReadArchitecture(content.Metadata, path, registry);
        return Read(model, content, path);
    }

    private static SavedModel Read(Model model, SafeTensorsContent content, string path) =>
        new(model, FromTorch(model, content.Tensors, path), content.Metadata) { Buffers = BuffersFromTorch(model, content, path) };

    /// <summary>
    /// Reads a model file into <paramref name="model"/>, whose layers may be the user's own: the file's architecture must
    /// name the same layers (<see cref="Layer.Name"/>) in the same order.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, its architecture differs from the model's, or its tensors do not match; the message names the file and both architectures.</exception>
    public static SavedModel Load(string path, Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var content = SafeTensors.Load(path);
        if (content.Metadata.TryGetValue(LayersKey, out string? json))
        {
            string[]? names;
            try { names = JsonSerializer.Deserialize<string[]>(json); }
            catch (JsonException e) { throw new InvalidDataException($"{path}: '{LayersKey}' is not a JSON array of strings ({e.Message})."); }
            if (names is null || !names.SequenceEqual(model.Layers.Select(l => l.Name)))
                throw new InvalidDataException($"{path}: the file holds {string.Join(" → ", names ?? [])}, not {model.Architecture}.");
        }
        return Read(model, content, path);
    }

    /// <summary>
    /// The bytes <see cref="Save(string, Model, Parameters, InputNormalization, IReadOnlyDictionary{string, string})"/> writes, for a model kept inside another container (e.g. an ML.NET model zip).
    /// </summary>
    /// <exception cref="ArgumentException">The parameters do not match the model.</exception>
    public static byte[] Serialize(Model model, Parameters parameters, IReadOnlyDictionary<string, string>? metadata) =>
        Serialize(model, parameters, Buffers.Empty, metadata);

    /// <summary>The bytes <see cref="Save(string, Model, Parameters, Buffers, IReadOnlyDictionary{string, string})"/> writes.</summary>
    /// <exception cref="ArgumentException">The parameters or buffers do not match the model.</exception>
    public static byte[] Serialize(Model model, Parameters parameters, Buffers buffers, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var (tensors, counts) = ToTorch(model, parameters, buffers);
        return SafeTensors.Serialize(tensors, counts, Metadata(model, "model", metadata));
    }

    /// <summary>Reads model bytes made by <c>Serialize</c> (a model file's contents), as <see cref="Load(string)"/> reads a file.</summary>
    /// <param name="bytes">The safetensors bytes.</param>
    /// <param name="source">What to call them in messages, e.g. <c>model.zip!stage-0.safetensors</c>.</param>
    /// <exception cref="InvalidDataException">The bytes are corrupt, have no architecture, or their tensors do not match it; the message names <paramref name="source"/>.</exception>
    public static SavedModel Deserialize(byte[] bytes, string source)
    {
        var content = SafeTensors.Deserialize(bytes, source);
        Model model = ReadArchitecture(content.Metadata, source);
        return Read(model, content, source);
    }

    /// <summary>Reads the parameters of <paramref name="model"/> from a file, for models with user-written layers that <see cref="Load(string)"/> cannot rebuild.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt or its tensors do not match the model; the message names the file and the tensor.</exception>
    public static Parameters LoadParameters(string path, Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FromTorch(model, SafeTensors.Load(path).Tensors, path);
    }

    internal static Dictionary<string, string> Metadata(Model model, string kind, IReadOnlyDictionary<string, string>? extra)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra != null) foreach (var kv in extra) meta[kv.Key] = kv.Value;
        meta["format"] = "pt";
        meta[KindKey] = kind;
        meta[LayersKey] = JsonSerializer.Serialize(model.Layers.Select(l => l.Name).ToArray());
        meta["mlp.architecture"] = model.Architecture;
        return meta;
    }

    internal static Model ReadArchitecture(IReadOnlyDictionary<string, string> metadata, string path) => ReadArchitecture(metadata, path, LayerRegistry.BuiltIn);

    internal static Model ReadArchitecture(IReadOnlyDictionary<string, string> metadata, string path, LayerRegistry registry)
    {
        if (!metadata.TryGetValue(LayersKey, out string? json))
            throw new InvalidDataException($"{path}: no '{LayersKey}' in the metadata, so the architecture is unknown. Load it with ModelFile.LoadParameters(path, model).");
        string[]? names;
        try { names = JsonSerializer.Deserialize<string[]>(json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: '{LayersKey}' is not a JSON array of strings ({e.Message})."); }
        if (names is null || names.Length == 0) throw new InvalidDataException($"{path}: '{LayersKey}' lists no layers.");
        var layers = new Layer[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            try { layers[i] = registry.Parse(names[i]); }
            catch (FormatException e) { throw new InvalidDataException($"{path}: layer {i}: {e.Message} Load a model with your own layers with ModelFile.Load(path, registry.With(…)) or ModelFile.Load(path, model)."); }
        }
        return new Model(layers);
    }

    /// <summary>Parameters in PyTorch's layout (linear weights transposed to (out, in)), then the float buffers, and the int64 buffers.</summary>
    internal static (NamedTensor[] Tensors, NamedInt64Tensor[] Counts) ToTorch(Model model, Parameters parameters, Buffers buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        var tensors = ToTorch(model, parameters);
        try { model.CheckBuffers(buffers); }
        catch (ArgumentException e) { throw new ArgumentException(e.Message, nameof(buffers), e); }
        return ([.. tensors, .. buffers.Tensors], buffers.Counts.Select(c => new NamedInt64Tensor(c.Key, [], [c.Value])).ToArray());
    }

    /// <summary>The model's buffers from a file's tensors: float buffers by name and shape, finite (a variance ≥ 0), and 0-dimensional int64 counts ≥ 0.</summary>
    internal static Buffers BuffersFromTorch(Model model, SafeTensorsContent content, string path)
    {
        if (model.BufferSpecs.Count + model.CountNames.Count == 0) return Buffers.Empty;
        var floats = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in content.Tensors) floats[t.Name] = t.Value;
        var longs = new Dictionary<string, NamedInt64Tensor>(StringComparer.Ordinal);
        foreach (var t in content.Int64Tensors) longs[t.Name] = t;
        var tensors = new List<NamedTensor>();
        foreach (var spec in model.BufferSpecs)
        {
            if (!floats.TryGetValue(spec.Name, out var t))
                throw new InvalidDataException($"{path}: no F32 tensor '{spec.Name}' (a buffer of {model.Architecture}).");
            if (!t.Shape.SequenceEqual(spec.Shape))
                throw new InvalidDataException($"{path}: buffer '{spec.Name}' has shape {Tensor.ShapeString(t.Shape)}; {model.Architecture} needs {Tensor.ShapeString(spec.Shape)}.");
            RequireFinite(t, spec.Name, path);
            if (spec.Name.EndsWith(".running_var", StringComparison.Ordinal) && System.Numerics.Tensors.TensorPrimitives.Min(t.AsSpan()) < 0)
                throw new InvalidDataException($"{path}: buffer '{spec.Name}' holds a negative variance; running variances must be ≥ 0.");
            tensors.Add(new NamedTensor(spec.Name, t));
        }
        var counts = new List<KeyValuePair<string, long>>();
        foreach (string name in model.CountNames)
        {
            if (!longs.TryGetValue(name, out var c))
                throw new InvalidDataException($"{path}: no I64 tensor '{name}' (a buffer of {model.Architecture}).");
            if (c.Shape.Count != 0 || c.Values[0] < 0)
                throw new InvalidDataException($"{path}: buffer '{name}' must be a 0-dimensional count ≥ 0; it has shape [{string.Join(", ", c.Shape)}]{(c.Shape.Count == 0 ? $" and value {c.Values[0]}" : "")}.");
            counts.Add(new(name, c.Values[0]));
        }
        return Buffers.From(tensors, counts);
    }

    private static void RequireFinite(Tensor t, string name, string path)
    {
        var values = t.AsSpan();
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values)) return;
        int k = 0;
        while (float.IsFinite(values[k])) k++;
        throw new InvalidDataException($"{path}: tensor '{name}' holds {values[k].ToString(System.Globalization.CultureInfo.InvariantCulture)} at flat index {k}; weights must be finite (the run that wrote it diverged).");
    }

    /// <summary>Parameters in PyTorch's layout (linear weights transposed to (out, in)).</summary>
    internal static NamedTensor[] ToTorch(Model model, Parameters parameters)
    {
        var specs = model.ParameterSpecs;
        if (parameters.Count != specs.Count)
            throw new ArgumentException($"The model has {specs.Count} parameters; got {parameters.Count}.", nameof(parameters));
        var r = new NamedTensor[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            if (parameters[i].Name != specs[i].Name || !parameters[i].Value.Shape.SequenceEqual(specs[i].Shape))
                throw new ArgumentException($"Parameter {i} should be '{specs[i].Name}' {Tensor.ShapeString(specs[i].Shape)}; got '{parameters[i].Name}' {Tensor.ShapeString(parameters[i].Value.Shape)}.", nameof(parameters));
            r[i] = ToTorch(specs[i], parameters[i]);
        }
        return r;
    }

    internal static NamedTensor ToTorch(ParameterSpec spec, NamedTensor t) =>
        spec.TransposedInTorch && t.Value.Rank == 2 ? t with { Value = t.Value.Transpose() } : t;

    /// <summary>Parameters for <paramref name="model"/> from tensors in PyTorch's layout, by name.</summary>
    internal static Parameters FromTorch(Model model, IReadOnlyList<NamedTensor> tensors, string path, string prefix = "")
    {
        var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in tensors) byName[t.Name] = t.Value;
        var r = new NamedTensor[model.ParameterSpecs.Count];
        for (int i = 0; i < r.Length; i++)
        {
            var spec = model.ParameterSpecs[i];
            if (!byName.TryGetValue(prefix + spec.Name, out var t))
                throw new InvalidDataException($"{path}: no tensor '{prefix + spec.Name}' for {model.Architecture}.");
            if (!t.Shape.SequenceEqual(spec.TorchShape))
                throw new InvalidDataException($"{path}: tensor '{prefix + spec.Name}' has shape {Tensor.ShapeString(t.Shape)}; {model.Architecture} needs {Tensor.ShapeString(spec.TorchShape)} (PyTorch layout).");
            RequireFinite(t, prefix + spec.Name, path);
            r[i] = new NamedTensor(spec.Name, spec.TransposedInTorch && t.Rank == 2 ? t.Transpose() : t);
        }
        return Parameters.From(r);
    }
}
