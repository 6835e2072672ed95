using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;
using Spectre.Console;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary><c>mlp train</c>: trains a multi-layer perceptron with cross-entropy, with progress, checkpoints, a model file and a plot.</summary>
internal static class TrainCommand
{
    /// <summary>Models above this many parameters are refused before anything is allocated (256 MiB of float32 weights).</summary>
    internal const long MaxParameters = 1L << 26;

    private static readonly Option<string?> Data = Opt.Data();
    private static readonly Option<int[]> Hidden = HiddenOption();
    private static readonly Option<string?> ModelSpec = new("--model", "-m")
    {
        Description = "the layers, as PyTorch writes them, e.g. \"Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)\" " +
                      "(layers: Linear, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Dropout, BatchNorm1d); --hidden is the short form for Linear/ReLU stacks",
        HelpName = "SPEC",
    };
    private static readonly Option<int> Epochs = Opt.Int("--epochs", "-e", "train until N epochs are complete (with --resume: default the checkpoint's)", 5);
    private static readonly Option<double?> Lr = Opt.Number("--lr", null, "learning rate (default 0.1 for sgd, 0.001 for adam)", null, 0, 1e6, minExclusive: true);
    private static readonly Option<double?> Momentum = Opt.Number("--momentum", null, "SGD momentum", 0, 0, 1);
    private static readonly Option<bool> Nesterov = Opt.Flag("--nesterov", "SGD with Nesterov momentum (needs --momentum > 0)");
    private static readonly Option<double?> WeightDecay = Opt.Number("--weight-decay", null, "L2 penalty", 0, 0);
    private static readonly Option<string> Optimizer = Opt.Choice("--optimizer", null, "the optimizer", "sgd", "sgd", "adam");
    private static readonly Option<string> Schedule = Opt.Choice("--schedule", null, "learning rate per epoch: constant, or cosine (annealed to 0 over --epochs)", "constant", "constant", "cosine");
    private static readonly Option<int> Batch = Opt.Int("--batch", "-b", "batch size", 64, 1);
    private static readonly Option<ulong> Seed = Opt.Seed(0, "seed for the initial weights and the shuffling");
    private static readonly Option<int?> Limit = Opt.OptionalInt("--limit", "-n", "train on the first N training rows only", 1);
    private static readonly Option<string?> Save = Opt.OutputFile("--save", "-o", "write the trained model as safetensors (PyTorch state_dict names and layout)");
    private static readonly Option<string?> Checkpoint = Opt.OutputFile("--checkpoint", "-c", "write a resumable checkpoint after every epoch and when stopped");
    private static readonly Option<string?> Resume = Opt.InputFile("--resume", "-r", "continue from a checkpoint (model, optimizer, batch size, seed come from it; rewritten unless --checkpoint names another file)");
    private static readonly Option<string?> Plot = Opt.OutputFile("--plot", "-p", "write loss and accuracy curves", ".png");
    private static readonly Option<string?> Log = Opt.OutputFile("--log", "-l",
        "append one line per epoch as it ends (epoch, train/valid loss and accuracy, learning rate, seconds): JSON lines for .jsonl/.json, CSV for .csv; plot it with 'mlp plot'",
        TrainingLog.Extensions);
    private static readonly Option<bool> Json = Opt.Json();

    public static Command Create()
    {
        var c = new Command("train",
            "Train an MLP with cross-entropy: progress, validation, checkpoints, model file, log, plot.\n\n" +
            "Trains Linear -> ReLU -> ... -> Linear (--hidden), or any layers (--model), with cross-entropy on the training split (inputs normalized with the " +
            "training mean and std), validates after every epoch, and reports test accuracy when the data has a test split. " +
            "Same options and seed -> bitwise-identical weights. Ctrl+C stops cleanly after the current step (and writes " +
            "the checkpoint when --checkpoint or --resume is given) and exits with 130.")
        {
            Data, Hidden, ModelSpec, Epochs, Lr, Momentum, Nesterov, WeightDecay, Optimizer, Schedule, Batch, Seed, Limit,
            Save, Checkpoint, Resume, Plot, Log, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult p)
    {
        var r = new Report(p.GetValue(Json));
        string? plotPath = p.GetValue(Plot);
        string? resume = p.GetValue(Resume);
        string? checkpointPath = p.GetValue(Checkpoint) ?? resume;
        if (resume != null)
        {
            foreach (var o in new Option[] { Hidden, ModelSpec, Lr, Momentum, WeightDecay, Optimizer, Schedule, Batch, Seed, Nesterov })
                if (p.Given(o)) throw new UsageException($"{o.Name} cannot be combined with --resume; the checkpoint fixes it.");
            if (!p.Given(Checkpoint) && OutputPath.Problem(resume) is { } problem)
                throw new UsageException($"--resume {resume}: the checkpoint is rewritten as training goes, but it {problem} Give --checkpoint FILE to write elsewhere.");
        }
        else
        {
            if (p.GetValue(Optimizer) == "adam" && (p.Given(Momentum) || p.Given(Nesterov)))
                throw new UsageException("--momentum and --nesterov apply to sgd only.");
            if (p.GetValue(Nesterov) && !(p.GetValue(Momentum) > 0))
                throw new UsageException("--nesterov needs --momentum > 0.");
            if (p.Given(Hidden) && p.Given(ModelSpec))
                throw new UsageException("--hidden and --model both say what the model is; give one (--hidden 100 is --model \"Linear(784, 100) ReLU() Linear(100, 10)\").");
        }
        // A spec is read before the data, so a typo fails at once.
        Model? specModel = null;
        if (resume == null && p.GetValue(ModelSpec) is { } spec)
        {
            try { specModel = Model.Parse(spec); }
            catch (FormatException e) { throw new UsageException($"--model: {e.Message}"); }
        }
        // A resumed run reads its checkpoint before the data: a wrong file is refused before the data is loaded.
        Checkpoint? ck = resume != null ? CheckpointFile.Load(resume) : null;

        // ---- data, normalized with training statistics
        DatasetSplits raw = DataSource.Load(p.GetValue(Data));
        if (p.GetValue(Limit) is { } limit)
        {
            if (limit > raw.Train.Count)
                throw new UsageException($"--limit {limit}: the training split of {raw.Train.Source} has only {raw.Train.Count} rows.");
            raw = raw with { Train = raw.Train.Slice(0, limit, $"{raw.Train.Source} (first {limit} rows)") };
        }
        foreach (var (name, split) in new[] { ("valid", raw.Valid), ("test", raw.Test) })
            if (split is { } s && s.Features != raw.Train.Features)
                throw new UsageException($"{s.Source}: the {name} split has {s.Features} features per row but the training split has {raw.Train.Features}.");
        var (data, mean, std) = Normalization.ByTrainStatistics(raw);
        var inputStats = new Dictionary<string, string>
        {
            [InputMeanKey] = mean.ToString("R", CultureInfo.InvariantCulture),
            [InputStdKey] = std.ToString("R", CultureInfo.InvariantCulture),
            [InputRowsKey] = data.Train.Count.ToString(CultureInfo.InvariantCulture),
        };

        // ---- model, optimizer, options, start state: fresh or from a checkpoint
        Model model;
        IOptimizer optimizer;
        TrainingOptions options;
        TrainingState start;
        if (ck != null)
        {
            model = ck.Model;
            optimizer = ck.Optimizer;
            options = ck.Options with { Epochs = p.Given(Epochs) ? p.GetValue(Epochs) : ck.Options.Epochs };
            start = ck.State;
            if (model.InputFeatures is { } f && f != data.Train.Features)
                throw new UsageException($"--resume {resume}: the model takes {f} features but the data has {data.Train.Features}.");
            RequireSameData(resume!, ck.Metadata, inputStats, data.Train.Source);
        }
        else
        {
            int[] hidden = p.GetValue(Hidden)!;
            int classes = Math.Max(data.Train.Classes, Math.Max(data.Valid.Classes, data.Test?.Classes ?? 0));
            model = specModel ?? Model.Perceptron(data.Train.Features, hidden, classes);
            string what = specModel != null ? "--model" : $"--hidden {string.Join(',', hidden)}";
            long parameters = model.ParameterSpecs.Sum(s => s.Shape.Aggregate(1L, (n, d) => n * d));
            if (parameters > MaxParameters)
                throw new UsageException($"{what}: the model would have {parameters:N0} parameters ({parameters * 4.0 / (1 << 30):0.#} GiB of float32 weights, " +
                                         $"several times that to train); the limit is {MaxParameters:N0}.");
            if (specModel != null) CheckSpecFitsData(specModel, data.Train.Features, classes);
            float wd = (float)p.GetValue(WeightDecay)!.Value;
            string opt = p.GetValue(Optimizer)!;
            optimizer = opt switch
            {
                "sgd" => new Sgd((float)(p.GetValue(Lr) ?? 0.1)) { Momentum = (float)p.GetValue(Momentum)!.Value, Nesterov = p.GetValue(Nesterov), WeightDecay = wd },
                _ => new Adam((float)(p.GetValue(Lr) ?? 0.001)) { WeightDecay = wd },
            };
            ulong seed = p.GetValue(Seed);
            var schedule = p.GetValue(Schedule) == "cosine" ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant;
            options = new TrainingOptions(p.GetValue(Epochs), p.GetValue(Batch), seed) { Schedule = schedule };
            start = TrainingState.Start(model, optimizer, seed);
        }
        using var log = p.GetValue(Log) is { } logPath ? TrainingLog.Open(logPath, append: resume != null) : null;

        r.Section("setup", "Training");
        r.Fact("data", data.Train.Source, $"data: {data.Train.Source} — {data.Description}");
        r.Fact("train_rows", data.Train.Count, $"train {Shape(data.Train.X.Shape)}, valid {Shape(data.Valid.X.Shape)}{(data.Test is { } t ? $", test {Shape(t.X.Shape)}" : "")}");
        r.Fact("normalization", new JsonObject { ["mean"] = mean, ["std"] = std }, $"inputs normalized with the training mean {F(mean)} and std {F(std)}");
        r.Fact("architecture", model.Architecture, $"model: {model.Architecture}");
        if (!r.Json) Console.WriteLine(Indent(model.InputFeatures is { } inputs ? model.Summary(inputs).ToString() : model.Architecture));
        r.Fact("optimizer", CheckpointFile.OptimizerJson(optimizer), $"optimizer: {optimizer.Name}");
        r.Fact("schedule", options.Schedule.ToString(), $"learning-rate schedule: {options.Schedule}");
        r.Fact("batch", options.BatchSize, $"batch {options.BatchSize}, seed {options.Seed}, epochs {options.Epochs}{(resume != null ? $" (resuming {resume} at epoch {start.Epoch + 1}, step {start.Step})" : "")}");

        // ---- train, with Ctrl+C stopping after the current step
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        TrainingResult result;
        try
        {
            result = RunWithProgress(r.Json, model, optimizer, start, data, options, checkpointPath, log, inputStats, cts.Token);
        }
        catch (TrainingDivergedException e)
        {
            double lr = BaseLearningRate(optimizer);
            throw new CheckFailedException($"{e.Message}{(double.IsNaN(lr) ? "" : $" For example: --lr {(lr / 10).ToString("G3", CultureInfo.InvariantCulture)}")}");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (checkpointPath != null) SaveCheckpoint(checkpointPath, model, optimizer, options, result.State, inputStats);

        // ---- results
        r.Section("result", "Result");
        var rows = result.History.Select(m => EpochRow.From(m, BaseLearningRate(optimizer), options)).ToArray();
        r.Fact("epochs", new JsonArray(rows.Select(row => (JsonNode?)row.ToJson()).ToArray()), "");
        r.Fact("cancelled", result.Cancelled, result.Cancelled ? $"stopped at epoch {result.State.Epoch + 1}, step {result.State.Step}{(checkpointPath != null ? $"; resume with --resume {checkpointPath}" : "")}" : "completed");
        var final = result.State.Parameters;
        var buffers = result.State.Buffers;
        var valid = Trainer.Evaluate(model, final, buffers, data.Valid, options.Loss, 4096);
        r.Fact("valid_accuracy", valid.Accuracy, $"valid accuracy {F(valid.Accuracy)}, loss {F(valid.Loss)}");
        if (data.Test is { } test)
        {
            var ev = Trainer.Evaluate(model, final, buffers, test, options.Loss, 4096);
            r.Fact("test_accuracy", ev.Accuracy, $"test accuracy {F(ev.Accuracy)}, loss {F(ev.Loss)} ({ev.Count} rows)");
            r.Fact("test_loss", ev.Loss, "");
        }
        if (p.GetValue(Save) is { } save)
        {
            ModelFile.Save(save, model, final, buffers, inputStats);
            r.Fact("saved", save, $"model saved to {save} (safetensors; load in PyTorch with tools/torch_load_safetensors.py)");
        }
        if (plotPath != null)
        {
            Charts.TrainingCurves(rows, plotPath,
                $"{model.Architecture}\n{optimizer.Name}{(options.Schedule is ConstantSchedule ? "" : $", {options.Schedule} schedule")}, batch {options.BatchSize}");
            r.Fact("plot", plotPath, $"plot written to {plotPath}");
        }
        r.Finish();
        return result.Cancelled ? 130 : 0;   // 130: stopped by Ctrl+C (SIGINT), as shells report it
    }

    /// <summary>
    /// Refuses a <c>--model</c> whose layers do not chain (one layer's output width is not the next one's input), whose
    /// first layer does not take the data's features, or whose output has fewer columns than the data has classes.
    /// </summary>
    private static void CheckSpecFitsData(Model model, int features, int classes)
    {
        if (model.InputFeatures is { } f && f != features)
            throw new UsageException($"--model: the first layer, {model.Layers[0].Name}, takes {f} features but the data has {features}.");
        ModelSummary summary;
        try { summary = model.Summary(features); }
        catch (ArgumentException e) { throw new UsageException($"--model: the layers do not fit together: {e.Message}"); }
        var last = summary.Layers[^1].OutputShape;
        if (last.Count != 2 || last[1] < classes)
            throw new UsageException($"--model: the model ends with [{string.Join(", ", last)}] outputs but the data has {classes} classes; end with a layer of {classes} outputs, e.g. Linear(…, {classes}).");
    }

    /// <summary>Metadata keys for the input normalization a saved model expects.</summary>
    internal const string InputMeanKey = InputNormalization.MeanKey, InputStdKey = InputNormalization.StdKey;

    /// <summary>Metadata key for the number of training rows the normalization was computed on (a resume checks it).</summary>
    internal const string InputRowsKey = "mlp.input_train_rows";

    /// <summary>
    /// Refuses to resume on other training data than the checkpoint was written for: a different row count (another
    /// <c>--limit</c>) or different training statistics (another <c>--data</c>) would change the batches mid-run.
    /// </summary>
    private static void RequireSameData(string path, IReadOnlyDictionary<string, string> saved, Dictionary<string, string> now, string source)
    {
        foreach (var key in new[] { InputRowsKey, InputMeanKey, InputStdKey })
            if (saved.TryGetValue(key, out var was) && was != now[key])
                throw new UsageException(
                    $"--resume {path}: the checkpoint was written training on {Describe(saved)}, but this run has {Describe(now)} ({source}); " +
                    "resume with the same --data and --limit as the run that wrote it.");

        static string Describe(IReadOnlyDictionary<string, string> m) =>
            $"{(m.TryGetValue(InputRowsKey, out var n) ? n : "?")} rows with mean {(m.TryGetValue(InputMeanKey, out var mu) ? mu : "?")}, std {(m.TryGetValue(InputStdKey, out var sd) ? sd : "?")}";
    }

    /// <summary>The optimizer's base learning rate (before the schedule's factor), NaN for an unknown optimizer.</summary>
    /// (The float rate is shown with the digits it was given: 0.1, not 0.10000000149011612.)
    private static double BaseLearningRate(IOptimizer optimizer) => optimizer switch
    {
        Sgd sgd => Shortest(sgd.LearningRate),
        Adam adam => Shortest(adam.LearningRate),
        _ => double.NaN,
    };

    private static double Shortest(float v) => float.IsFinite(v) ? double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : v;

    private static TrainingResult RunWithProgress(bool json, Model model, IOptimizer optimizer, TrainingState start, DatasetSplits data,
        TrainingOptions options, string? checkpointPath, TrainingLog? log, Dictionary<string, string> meta, CancellationToken ct)
    {
        // A checkpoint after every epoch, written from the epoch-end report (which carries the state).
        TrainingResult Fit(IProgress<TrainingProgress>? display) =>
            Trainer.Fit(model, optimizer, start, data.Train, data.Valid, options, new SyncProgress<TrainingProgress>(p =>
            {
                if (p.State is { } s && checkpointPath != null) SaveCheckpoint(checkpointPath, model, optimizer, options, s, meta);
                if (p.Completed is { } m) log?.Write(EpochRow.From(m, BaseLearningRate(optimizer), options));
                display?.Report(p);
            }), ct);

        if (json) return Fit(null);
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Plain lines: one per epoch, and a short line every ~10% of an epoch.
            return Fit(new SyncProgress<TrainingProgress>(p =>
            {
                if (p.Completed is { } m) Console.WriteLine(EpochLine(m, options.Epochs) + $", {p.ExamplesPerSecond:0} ex/s");
                else if (p.Step % Math.Max(1, p.StepsPerEpoch / 10) == 0)
                    Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} loss {F(p.Loss)} {p.ExamplesPerSecond:0} ex/s");
            }));
        }
        TrainingResult result = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int taskEpoch = -1;
                result = Fit(new SyncProgress<TrainingProgress>(p =>
                {
                    if (task == null || taskEpoch != p.Epoch)
                    {
                        task?.StopTask();
                        task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.StepsPerEpoch);
                        taskEpoch = p.Epoch;
                    }
                    task.Value = p.Step;
                    task.Description = p.Completed is { } m
                        ? Markup.Escape(EpochLine(m, p.Epochs))
                        : Markup.Escape($"epoch {p.Epoch}/{p.Epochs}  step {p.Step}/{p.StepsPerEpoch}  loss {F(p.Loss)}  {p.ExamplesPerSecond:0} ex/s");
                    if (p.Completed != null) task.StopTask();
                }));
            });
        return result;
    }

    private static void SaveCheckpoint(string path, Model model, IOptimizer optimizer, TrainingOptions options, TrainingState state, Dictionary<string, string> meta) =>
        CheckpointFile.Save(path, new Checkpoint(model, optimizer, options, state, meta));

    internal static string EpochLine(EpochMetrics m, int epochs) =>
        $"epoch {m.Epoch}/{epochs}: train loss {F(m.TrainLoss)} acc {F(m.TrainAccuracy)} | valid loss {F(m.ValidLoss)} acc {F(m.ValidAccuracy)} | {F(m.Seconds, "0.0")} s";

    private static Option<int[]> HiddenOption()
    {
        var o = new Option<int[]>("--hidden")
        {
            Description = "hidden layer sizes, comma-separated: 100 or 100,50 (each 1 to 65536)",
            HelpName = "LIST",
            Arity = ArgumentArity.OneOrMore,
            DefaultValueFactory = _ => [100],
        };
        o.CustomParser = r =>
        {
            string s = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            string[] parts = s.Split(',', StringSplitOptions.TrimEntries);
            var sizes = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1 || sizes[i] > 65536)
                {
                    r.AddError($"--hidden must be a comma-separated list of sizes from 1 to 65536 such as 100 or 100,50; got '{s}'" +
                               (parts[i].Length == 0 ? $" (size {i + 1} is empty)." : $" ('{parts[i]}' is not such a size)."));
                    return [];
                }
            }
            return sizes;
        };
        return o;
    }

    private static string Indent(string text) => "  " + text.Replace("\n", "\n  ");
}
