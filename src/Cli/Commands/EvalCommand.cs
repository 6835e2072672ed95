using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mlp.Data;
using Mlp.Numpy;
using Mlp.Serialization;
using Mlp.Training;
using static Mlp.Cli.Report;

namespace Mlp.Cli.Commands;

/// <summary><c>mlp eval</c>: accuracy, per-class accuracy and the confusion matrix of a saved model.</summary>
internal static class EvalCommand
{
    private static readonly Option<string?> ModelPath = Required(Opt.InputFile("--model", "-m", "a .safetensors model or checkpoint written by mlp train", ".safetensors", ".ckpt"));
    private static readonly Option<string?> Data = Opt.Data();
    private static readonly Option<string?> Predictions = Opt.OutputFile("--predictions", "-o",
        "also write the first --rows evaluated rows as .npz: x (raw inputs), labels, logits, predicted (tools/torch_load_safetensors.py checks them against PyTorch)", ".npz");
    private static readonly Option<int> Rows = Opt.Int("--rows", "-n", "rows written by --predictions", 1000, 1);
    private static readonly Option<bool> Json = Opt.Json();

    public static Command Create()
    {
        var c = new Command("eval",
            "Accuracy, per-class accuracy and confusion matrix of a saved model.\n\n" +
            "Evaluates a model written by 'mlp train --save' (or a checkpoint) on the test split of the data (the validation " +
            "split when the data has no test split), in evaluation mode (BatchNorm's running statistics, no dropout), " +
            "normalizing inputs with the statistics stored in the model file; the architecture comes from the file. Prints " +
            "accuracy, per-class accuracy and the confusion matrix (rows: true class, columns: predicted).")
        {
            ModelPath, Data, Predictions, Rows, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static Option<string?> Required(Option<string?> o)
    {
        o.Required = true;
        return o;
    }

    private static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static int Run(ParseResult p)
    {
        string path = p.GetValue(ModelPath)!;
        var r = new Report(p.GetValue(Json));
        var saved = ModelFile.Load(path);
        DatasetSplits raw = DataSource.Load(p.GetValue(Data));
        Dataset rawSet = raw.Test ?? raw.Valid;
        string splitName = raw.Test != null ? "test" : "valid";

        float mean, std;
        string statsSource;
        if (saved.InputStatistics(path) is { } stored)
        {
            (mean, std) = stored;
            statsSource = "stored in the model file";
        }
        else
        {
            (_, mean, std) = Normalization.ByTrainStatistics(raw);
            statsSource = "the training split's (the model file stores none)";
        }
        if (saved.Model.InputFeatures is { } f && f != rawSet.Features)
            throw new UsageException($"--model {path}: the model takes {f} features but {rawSet.Source} has {rawSet.Features}.");
        Dataset set = rawSet.WithFeatures(Normalization.Normalize(rawSet.X, mean, std));
        int outputs = set.Count > 0 ? saved.Predict(set.X.Rows(0, 1)).Shape[1] : 0;
        if (set.Count > 0 && set.Classes > outputs)
            throw new UsageException($"--model {path}: the model predicts {outputs} classes but {rawSet.Source} has labels up to {set.Classes - 1}.");
        var ev = Trainer.Evaluate(saved.Model, saved.Parameters, saved.Buffers, set, Loss.CrossEntropy, 4096);

        r.Section("model", "Model");
        r.Fact("file", path, $"file: {path}");
        r.Fact("architecture", saved.Model.Architecture, $"architecture: {saved.Model.Architecture}");
        r.Fact("normalization", new JsonObject { ["mean"] = mean, ["std"] = std }, $"inputs normalized with mean {F(mean)}, std {F(std)}: {statsSource}");
        r.Section("evaluation", $"Evaluation on the {splitName} split");
        r.Fact("data", rawSet.Source, $"data: {rawSet.Source} ({splitName}, {ev.Count} rows)");
        r.Fact("split", splitName, "");
        r.Fact("rows", ev.Count, "");
        r.Fact("accuracy", ev.Accuracy, $"accuracy {F(ev.Accuracy)} ({(long)Math.Round(ev.Accuracy * ev.Count)}/{ev.Count}), loss {F(ev.Loss)}");
        r.Fact("loss", ev.Loss, "");
        bool fashion = ev.ClassAccuracy.Count == 10 && rawSet.Source.Contains("fashion", StringComparison.OrdinalIgnoreCase);
        var perClass = new JsonArray();
        r.Note("per-class accuracy:");
        for (int c = 0; c < ev.ClassAccuracy.Count; c++)
        {
            string name = fashion ? FashionClasses[c] : c.ToString(CultureInfo.InvariantCulture);
            perClass.Add(new JsonObject { ["class"] = c, ["name"] = name, ["accuracy"] = double.IsNaN(ev.ClassAccuracy[c]) ? null : ev.ClassAccuracy[c], ["rows"] = ev.Confusion[c].Sum() });
            r.Note($"  {c,2} {name,-12} {F(ev.ClassAccuracy[c])}  ({ev.Confusion[c][c]}/{ev.Confusion[c].Sum()})");
        }
        r.Fact("per_class_accuracy", perClass, "");
        r.Fact("confusion", new JsonArray(ev.Confusion.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)v).ToArray())).ToArray()), "");
        r.Note("confusion matrix (rows: true class, columns: predicted):");
        r.Note(ConfusionText(ev.Confusion));

        if (p.GetValue(Predictions) is { } predPath)
        {
            int rows = Math.Min(p.GetValue(Rows), set.Count);
            Tensor logits = saved.Predict(set.X.Rows(0, rows));
            int[] predicted = logits.ArgMaxRows();
            NpzWriter.Write(predPath, new Dictionary<string, NpyArray>
            {
                ["x"] = NpyArray.FromTensor(rawSet.X.Rows(0, rows)),
                ["labels"] = NpyArray.FromInt64(rawSet.Labels.Take(rows).Select(v => (long)v).ToArray(), [rows]),
                ["logits"] = NpyArray.FromTensor(logits),
                ["predicted"] = NpyArray.FromInt64(predicted.Select(v => (long)v).ToArray(), [rows]),
            });
            r.Fact("predictions", predPath, $"first {rows} rows with logits and predictions written to {predPath}");
        }
        r.Finish();
        return 0;
    }

    private static string ConfusionText(int[][] m)
    {
        var sb = new StringBuilder("       ");
        for (int j = 0; j < m.Length; j++) sb.Append(CultureInfo.InvariantCulture, $"{j,6}");
        for (int i = 0; i < m.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n  {i,4} ");
            for (int j = 0; j < m.Length; j++) sb.Append(CultureInfo.InvariantCulture, $"{m[i][j],6}");
        }
        return sb.ToString();
    }
}
