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
    private const string Help = """
        Usage: mlp train [options]

        Trains Linear -> ReLU -> ... -> Linear with cross-entropy on the training split (inputs normalized with the
        training mean and std), validates after every epoch, and reports test accuracy when the data has a test split.
        Same options and seed -> bitwise-identical weights. Ctrl+C stops cleanly after the current step (and writes
        the checkpoint when --checkpoint or --resume is given) and exits with 130.

        Options:
          --data DIR|FILE     an IDX directory or the lesson's mnist.pkl.gz (default: /usr/share/datasets/fashion-mnist
                              if installed, else the embedded Fashion-MNIST test split, split 80/20)
          --hidden LIST       hidden sizes, e.g. 100 or 100,50 (default 100)
          --epochs N          train until N epochs are complete (default 5; with --resume: the checkpoint's)
          --lr X              learning rate (default 0.1 for sgd, 0.001 for adam)
          --momentum X        SGD momentum (default 0)
          --nesterov          SGD with Nesterov momentum
          --weight-decay X    L2 penalty (default 0)
          --optimizer NAME    sgd or adam (default sgd)
          --schedule NAME     learning rate per epoch: constant, or cosine (annealed to 0 over --epochs) (default constant)
          --batch N           batch size (default 64)
          --seed N            seed for the initial weights and the shuffling (default 0)
          --limit N           train on the first N training rows only
          --save FILE         write the trained model as safetensors (PyTorch state_dict names and layout)
          --checkpoint FILE   write a resumable checkpoint after every epoch and when stopped
          --resume FILE       continue from a checkpoint (model, optimizer, batch size, seed come from it)
          --plot FILE.png     write loss and accuracy curves
          --json              print the results as one JSON object on stdout (no progress display)
          --help              this text
        """;

    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(Help); return 0; }
        var a = CliArgs.Parse("train", args,
            ["data", "hidden", "epochs", "lr", "momentum", "weight-decay", "optimizer", "schedule", "batch", "seed", "limit", "save", "checkpoint", "resume", "plot"],
            ["json", "nesterov"]);
        var r = new Report(a.Has("json"));
        string? plotPath = a.String("plot");
        if (plotPath != null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"mlp train: --plot writes a PNG; give a file name ending in .png (got '{plotPath}').");

        // ---- data, normalized with training statistics
        DatasetSplits raw = DataSource.Load(a.String("data"));
        if (a.Has("limit"))
        {
            int limit = a.Int("limit", 0, 1, raw.Train.Count);
            raw = raw with { Train = raw.Train.Slice(0, limit, $"{raw.Train.Source} (first {limit} rows)") };
        }
        var (data, mean, std) = Normalization.ByTrainStatistics(raw);
        var inputStats = new Dictionary<string, string>
        {
            [InputMeanKey] = mean.ToString("R", CultureInfo.InvariantCulture),
            [InputStdKey] = std.ToString("R", CultureInfo.InvariantCulture),
        };

        // ---- model, optimizer, options, start state: fresh or from a checkpoint
        Model model;
        IOptimizer optimizer;
        TrainingOptions options;
        TrainingState start;
        string? resume = a.String("resume");
        if (resume != null)
        {
            foreach (var o in new[] { "hidden", "lr", "momentum", "weight-decay", "optimizer", "schedule", "batch", "seed", "nesterov" })
                if (a.Has(o)) throw new UsageException($"mlp train: --{o} cannot be combined with --resume; the checkpoint fixes it.");
            var ck = CheckpointFile.Load(resume);
            model = ck.Model;
            optimizer = ck.Optimizer;
            options = ck.Options with { Epochs = a.Int("epochs", ck.Options.Epochs, 0) };
            start = ck.State;
            if (model.InputFeatures is { } f && f != data.Train.Features)
                throw new UsageException($"mlp train: {resume} takes {f} features but the data has {data.Train.Features}.");
        }
        else
        {
            int[] hidden = ParseHidden(a.String("hidden") ?? "100");
            int classes = Math.Max(data.Train.Classes, Math.Max(data.Valid.Classes, data.Test?.Classes ?? 0));
            model = Model.Perceptron(data.Train.Features, hidden, classes);
            string opt = a.String("optimizer") ?? "sgd";
            float wd = (float)a.Double("weight-decay", 0, 0);
            optimizer = opt switch
            {
                "sgd" => new Sgd((float)a.Double("lr", 0.1, 1e-12)) { Momentum = (float)a.Double("momentum", 0, 0, 1), Nesterov = a.Has("nesterov"), WeightDecay = wd },
                "adam" => new Adam((float)a.Double("lr", 0.001, 1e-12)) { WeightDecay = wd },
                _ => throw new UsageException($"mlp train: --optimizer must be sgd or adam; got '{opt}'."),
            };
            if (opt == "adam" && (a.Has("momentum") || a.Has("nesterov")))
                throw new UsageException("mlp train: --momentum and --nesterov apply to sgd only.");
            if (a.Has("nesterov") && !a.Has("momentum"))
                throw new UsageException("mlp train: --nesterov needs --momentum > 0.");
            ulong seed = a.ULong("seed", 0);
            var schedule = (a.String("schedule") ?? "constant") switch
            {
                "constant" => LearningRateSchedule.Constant,
                "cosine" => LearningRateSchedule.Cosine,
                var other => throw new UsageException($"mlp train: --schedule must be constant or cosine; got '{other}'."),
            };
            options = new TrainingOptions(a.Int("epochs", 5, 0), a.Int("batch", 64, 1), seed) { Schedule = schedule };
            start = TrainingState.Start(model, optimizer, seed);
        }
        string? checkpointPath = a.String("checkpoint") ?? resume;

        r.Section("setup", "Training");
        r.Fact("data", data.Train.Source, $"data: {data.Train.Source} — {data.Description}");
        r.Fact("train_rows", data.Train.Count, $"train {Shape(data.Train.X.Shape)}, valid {Shape(data.Valid.X.Shape)}{(data.Test is { } t ? $", test {Shape(t.X.Shape)}" : "")}");
        r.Fact("normalization", new JsonObject { ["mean"] = mean, ["std"] = std }, $"inputs normalized with the training mean {F(mean)} and std {F(std)}");
        r.Fact("architecture", model.Architecture, $"model: {model.Architecture}");
        if (!r.Json) Console.WriteLine(Indent(model.ToString()));
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
            result = RunWithProgress(r.Json, model, optimizer, start, data, options, checkpointPath, inputStats, cts.Token);
        }
        catch (NonFiniteLossException e)
        {
            float lr = optimizer switch { Sgd sgd => sgd.LearningRate, Adam adam => adam.LearningRate, _ => float.NaN };
            Console.Error.WriteLine($"mlp train: {e.Message}{(float.IsNaN(lr) ? "" : $" For example: --lr {(lr / 10).ToString("G3", CultureInfo.InvariantCulture)}")}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (checkpointPath != null) SaveCheckpoint(checkpointPath, model, optimizer, options, result.State, inputStats);

        // ---- results
        r.Section("result", "Result");
        var hist = new JsonArray();
        foreach (var m in result.History)
        {
            hist.Add(new JsonObject
            {
                ["epoch"] = m.Epoch, ["train_loss"] = m.TrainLoss, ["train_accuracy"] = m.TrainAccuracy,
                ["valid_loss"] = m.ValidLoss, ["valid_accuracy"] = m.ValidAccuracy, ["seconds"] = m.Seconds,
            });
        }
        r.Fact("epochs", hist, "");
        r.Fact("cancelled", result.Cancelled, result.Cancelled ? $"stopped at epoch {result.State.Epoch + 1}, step {result.State.Step}{(checkpointPath != null ? $"; resume with --resume {checkpointPath}" : "")}" : "completed");
        var final = result.State.Parameters;
        var valid = Trainer.Evaluate(model, final, data.Valid, options.Loss, 4096);
        r.Fact("valid_accuracy", valid.Accuracy, $"valid accuracy {F(valid.Accuracy)}, loss {F(valid.Loss)}");
        if (data.Test is { } test)
        {
            var ev = Trainer.Evaluate(model, final, test, options.Loss, 4096);
            r.Fact("test_accuracy", ev.Accuracy, $"test accuracy {F(ev.Accuracy)}, loss {F(ev.Loss)} ({ev.Count} rows)");
            r.Fact("test_loss", ev.Loss, "");
        }
        if (a.String("save") is { } save)
        {
            ModelFile.Save(save, model, final, inputStats);
            r.Fact("saved", save, $"model saved to {save} (safetensors; load in PyTorch with tools/torch_load_safetensors.py)");
        }
        if (plotPath != null)
        {
            Charts.TrainingCurves(result.History, plotPath,
                $"{model.Architecture}\n{optimizer.Name}{(options.Schedule is ConstantSchedule ? "" : $", {options.Schedule} schedule")}, batch {options.BatchSize}");
            r.Fact("plot", plotPath, $"plot written to {plotPath}");
        }
        r.Finish();
        return result.Cancelled ? 130 : 0;   // 130: stopped by Ctrl+C (SIGINT), as shells report it
    }

    /// <summary>Metadata keys for the input normalization a saved model expects.</summary>
    internal const string InputMeanKey = "mlp.input_mean", InputStdKey = "mlp.input_std";

    private static TrainingResult RunWithProgress(bool json, Model model, IOptimizer optimizer, TrainingState start, DatasetSplits data,
        TrainingOptions options, string? checkpointPath, Dictionary<string, string> meta, CancellationToken ct)
    {
        // A checkpoint after every epoch, written from the epoch-end report (which carries the state).
        TrainingResult Fit(IProgress<TrainingProgress>? display) =>
            Trainer.Fit(model, optimizer, start, data.Train, data.Valid, options, new SyncProgress<TrainingProgress>(p =>
            {
                if (p.State is { } s && checkpointPath != null) SaveCheckpoint(checkpointPath, model, optimizer, options, s, meta);
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

    private static int[] ParseHidden(string s)
    {
        var parts = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var r = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out r[i]) || r[i] <= 0 || r[i] > 65536)
                throw new UsageException($"mlp train: --hidden must be a comma-separated list of positive sizes such as 100 or 100,50; got '{s}'.");
        return r;
    }

    private static string Indent(string text) => "  " + text.Replace("\n", "\n  ");
}
