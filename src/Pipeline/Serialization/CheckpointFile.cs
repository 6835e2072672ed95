using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.Serialization;

/// <summary>
/// Saves and loads a <see cref="Checkpoint"/> as one safetensors file. The model's tensors are stored exactly as
/// <see cref="ModelFile"/> stores them (so PyTorch can read the weights from a checkpoint too); optimizer buffers are
/// stored as <c>optimizer.{buffer}.{parameter}</c> in the same layout; the model's buffers (running statistics) as
/// <see cref="ModelFile"/> stores them; everything else is <c>mlp.*</c> metadata. The next step's dropout masks follow
/// from the seed, epoch and step, so they need no storage.
/// Doubles are written in round-trip form, so a resumed run is bitwise identical to an uninterrupted one.
/// </summary>
public static class CheckpointFile
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The optimizer or loss is not one that can be saved, or the state does not match the model.</exception>
    public static void Save(string path, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var (model, optimizer, options, state, extra) = checkpoint;
        var (modelTensors, counts) = ModelFile.ToTorch(model, state.Parameters, state.Buffers);
        var tensors = modelTensors.ToList();
        var buffers = new List<string>();
        foreach (var (bufferName, values) in state.OptimizerState.Buffers)
        {
            state.Parameters.RequireSameLayout(values, $"optimizer buffer '{bufferName}'");
            buffers.Add(bufferName);
            for (int i = 0; i < values.Count; i++)
            {
                var t = ModelFile.ToTorch(model.ParameterSpecs[i], values[i]);
                tensors.Add(t with { Name = $"optimizer.{bufferName}.{t.Name}" });
            }
        }
        var meta = ModelFile.Metadata(model, "checkpoint", extra);
        var ci = CultureInfo.InvariantCulture;
        meta["mlp.optimizer"] = OptimizerJson(optimizer).ToJsonString();
        meta["mlp.optimizer.step"] = state.OptimizerState.Step.ToString(ci);
        meta["mlp.optimizer.buffers"] = JsonSerializer.Serialize(buffers);
        meta["mlp.loss"] = options.Loss.Name == Loss.CrossEntropy.Name || options.Loss.Name == Loss.Mse.Name ? options.Loss.Name
            : throw new ArgumentException($"The loss '{options.Loss.Name}' cannot be saved in a checkpoint; only cross_entropy and mse can.", nameof(checkpoint));
        meta["mlp.epochs"] = options.Epochs.ToString(ci);
        meta["mlp.schedule"] = JsonSerializer.Serialize(options.Schedule);
        meta["mlp.batch_size"] = options.BatchSize.ToString(ci);
        meta["mlp.seed"] = options.Seed.ToString(ci);
        meta["mlp.evaluation_batch_size"] = options.EvaluationBatchSize.ToString(ci);
        meta["mlp.epoch"] = state.Epoch.ToString(ci);
        meta["mlp.step"] = state.Step.ToString(ci);
        meta["mlp.epoch_loss_sum"] = state.EpochLossSum.ToString("R", ci);
        meta["mlp.epoch_correct"] = state.EpochCorrect.ToString(ci);
        meta["mlp.epoch_rows"] = state.EpochRows.ToString(ci);
        meta["mlp.history"] = JsonSerializer.Serialize(state.History, Json);
        SafeTensors.Save(path, tensors, counts, meta);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, is not a checkpoint, or is inconsistent; the message names the file.</exception>
    public static Checkpoint Load(string path)
    {
        var content = SafeTensors.Load(path);
        var meta = content.Metadata;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: not a checkpoint: no '{key}' in the metadata{(meta.TryGetValue(ModelFile.KindKey, out var k) ? $" (it is a {k} file)" : "")}.");
        long Long(string key) => long.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0 ? v
            : throw new InvalidDataException($"{path}: '{key}' is not a non-negative integer: '{Get(key)}'.");
        int Int(string key) => Long(key) <= int.MaxValue ? (int)Long(key) : throw new InvalidDataException($"{path}: '{key}' is too large.");

        Get("mlp.optimizer");
        Model model = ModelFile.ReadArchitecture(meta, path);
        Parameters parameters = ModelFile.FromTorch(model, content.Tensors, path);
        IOptimizer optimizer = ReadOptimizer(Get("mlp.optimizer"), path);
        string[] bufferNames = Deserialize<string[]>(Get("mlp.optimizer.buffers"), "mlp.optimizer.buffers", path);
        string[] needed = optimizer switch
        {
            Adam => [Adam.ExpAvg, Adam.ExpAvgSq],
            Sgd { Momentum: not 0 } when Long("mlp.optimizer.step") > 0 => [Sgd.MomentumBuffer],
            _ => [],
        };
        foreach (string b in needed)
            if (!bufferNames.Contains(b))
                throw new InvalidDataException($"{path}: the {optimizer.Name} state needs the optimizer buffer '{b}' but the checkpoint lists only [{string.Join(", ", bufferNames)}].");
        if (bufferNames.Distinct(StringComparer.Ordinal).Count() != bufferNames.Length)
            throw new InvalidDataException($"{path}: 'mlp.optimizer.buffers' names a buffer twice.");
        var buffers = bufferNames.Select(b => new KeyValuePair<string, Parameters>(b, ModelFile.FromTorch(model, content.Tensors, path, $"optimizer.{b}."))).ToArray();
        var loss = Get("mlp.loss") switch
        {
            "cross_entropy" => Loss.CrossEntropy,
            "mse" => Loss.Mse,
            var other => throw new InvalidDataException($"{path}: unknown loss '{other}'."),
        };
        var options = new TrainingOptions(Int("mlp.epochs"), Int("mlp.batch_size"), (ulong)Long("mlp.seed"))
        {
            Loss = loss, EvaluationBatchSize = Int("mlp.evaluation_batch_size"),
            Schedule = meta.TryGetValue("mlp.schedule", out var sch) ? Deserialize<LearningRateSchedule>(sch, "mlp.schedule", path) : LearningRateSchedule.Constant,
        };
        try { options.Schedule.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
        if (options.BatchSize == 0 || options.EvaluationBatchSize == 0) throw new InvalidDataException($"{path}: a batch size is 0.");
        if (!double.TryParse(Get("mlp.epoch_loss_sum"), NumberStyles.Float, CultureInfo.InvariantCulture, out double lossSum))
            throw new InvalidDataException($"{path}: 'mlp.epoch_loss_sum' is not a number.");
        var history = Deserialize<EpochMetrics[]>(Get("mlp.history"), "mlp.history", path);
        var state = new TrainingState(parameters, new OptimizerState(Long("mlp.optimizer.step"), buffers), Int("mlp.epoch"), Int("mlp.step"),
                                      lossSum, Long("mlp.epoch_correct"), Long("mlp.epoch_rows"), history)
        { Buffers = ModelFile.BuffersFromTorch(model, content, path) };
        var extra = meta.Where(kv => !kv.Key.StartsWith("mlp.", StringComparison.Ordinal) || kv.Key.StartsWith("mlp.input_", StringComparison.Ordinal))
                        .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new Checkpoint(model, optimizer, options, state, extra);
    }

    private static T Deserialize<T>(string json, string key, string path)
    {
        try { return JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"{path}: '{key}' is null."); }
        catch (Exception e) when (e is JsonException or NotSupportedException) { throw new InvalidDataException($"{path}: '{key}' is not valid ({e.Message})."); }
    }

    /// <summary>The optimizer's hyper-parameters as JSON, e.g. <c>{"type":"sgd","lr":0.1,…}</c>.</summary>
    /// <exception cref="ArgumentException">The optimizer is neither <see cref="Sgd"/> nor <see cref="Adam"/>.</exception>
    public static JsonObject OptimizerJson(IOptimizer optimizer) => optimizer switch
    {
        Sgd s => new JsonObject
        {
            ["type"] = "sgd", ["lr"] = s.LearningRate, ["momentum"] = s.Momentum, ["dampening"] = s.Dampening,
            ["nesterov"] = s.Nesterov, ["weight_decay"] = s.WeightDecay,
        },
        Adam a => new JsonObject
        {
            ["type"] = "adam", ["lr"] = a.LearningRate, ["beta1"] = a.Beta1, ["beta2"] = a.Beta2, ["eps"] = a.Epsilon, ["weight_decay"] = a.WeightDecay,
        },
        _ => throw new ArgumentException($"Only SGD and Adam can be saved in a checkpoint; got {optimizer?.Name}.", nameof(optimizer)),
    };

    private static IOptimizer ReadOptimizer(string json, string path)
    {
        try
        {
            var o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{path}: 'mlp.optimizer' is not a JSON object.");
            float F(string k) => o[k]?.GetValue<float>() ?? throw new InvalidDataException($"{path}: 'mlp.optimizer' has no '{k}'.");
            float In(string k, float lo, float hi, bool loOpen, bool hiOpen)
            {
                float v = F(k);
                bool ok = float.IsFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
                return ok ? v : throw new InvalidDataException(
                    $"{path}: the optimizer's {k} is {v.ToString("R", CultureInfo.InvariantCulture)}; it must be in {(loOpen ? "(" : "[")}{lo}, {(float.IsPositiveInfinity(hi) ? "∞" : hi)}{(hiOpen ? ")" : "]")}.");
            }
            return o["type"]?.GetValue<string>() switch
            {
                "sgd" => new Sgd(In("lr", 0, float.PositiveInfinity, true, true))
                {
                    Momentum = In("momentum", 0, 1, false, true), Dampening = In("dampening", 0, 1, false, false),
                    Nesterov = o["nesterov"]?.GetValue<bool>() ?? false, WeightDecay = In("weight_decay", 0, float.PositiveInfinity, false, true),
                },
                "adam" => new Adam(In("lr", 0, float.PositiveInfinity, true, true))
                {
                    Beta1 = In("beta1", 0, 1, false, true), Beta2 = In("beta2", 0, 1, false, true), Epsilon = In("eps", 0, float.PositiveInfinity, true, true),
                    WeightDecay = In("weight_decay", 0, float.PositiveInfinity, false, true),
                },
                var t => throw new InvalidDataException($"{path}: unknown optimizer type '{t}'."),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: 'mlp.optimizer' is not valid ({e.Message}).");
        }
    }
}
