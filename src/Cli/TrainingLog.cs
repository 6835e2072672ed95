using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlp.Training;

namespace Mlp.Cli;

/// <summary>One epoch of a training run as <c>mlp train --log</c> writes it and <c>mlp plot</c> reads it.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch.</param>
/// <param name="ValidLoss">Validation loss after the epoch.</param>
/// <param name="ValidAccuracy">Validation accuracy after the epoch.</param>
/// <param name="LearningRate">The learning rate used in the epoch (the base rate times the schedule's factor).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
internal sealed record EpochRow(int Epoch, double TrainLoss, double TrainAccuracy, double ValidLoss, double ValidAccuracy, double LearningRate, double Seconds)
{
    /// <summary>The columns, in order: the CSV header and the JSON keys.</summary>
    public static readonly string[] Columns = ["epoch", "train_loss", "train_accuracy", "valid_loss", "valid_accuracy", "learning_rate", "seconds"];

    /// <summary>The row for a finished epoch of a run with base learning rate <paramref name="baseRate"/>.</summary>
    public static EpochRow From(EpochMetrics m, double baseRate, TrainingOptions options) =>
        new(m.Epoch, m.TrainLoss, m.TrainAccuracy, m.ValidLoss, m.ValidAccuracy,
            baseRate * options.Schedule.Factor(m.Epoch - 1, options.Epochs), m.Seconds);

    private double[] Numbers => [TrainLoss, TrainAccuracy, ValidLoss, ValidAccuracy, LearningRate, Seconds];

    /// <summary>The row as a JSON object; a non-finite number is written as the string "NaN", "Infinity" or "-Infinity".</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { [Columns[0]] = Epoch };
        double[] v = Numbers;
        for (int i = 0; i < v.Length; i++) o[Columns[i + 1]] = double.IsFinite(v[i]) ? JsonValue.Create(v[i]) : JsonValue.Create(v[i].ToString(CultureInfo.InvariantCulture));
        return o;
    }

    /// <summary>The row as CSV fields (invariant culture, round-trip precision).</summary>
    public string ToCsv() => string.Join(',', [Epoch.ToString(CultureInfo.InvariantCulture), .. Numbers.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]);
}

/// <summary>
/// <c>mlp train --log FILE</c>: one line per finished epoch, flushed as it is written, so a run can be watched
/// (<c>tail -f</c>) and plotted while it trains. JSON lines for <c>.jsonl</c>/<c>.json</c>, CSV with a header for <c>.csv</c>.
/// </summary>
internal sealed class TrainingLog : IDisposable
{
    /// <summary>The file name endings <c>--log</c> accepts.</summary>
    public static readonly string[] Extensions = [".jsonl", ".json", ".csv"];

    private readonly StreamWriter writer;
    private readonly bool csv;

    private TrainingLog(StreamWriter writer, bool csv)
    {
        this.writer = writer;
        this.csv = csv;
    }

    private static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens <paramref name="path"/>: truncated for a new run, appended to for a resumed one (a CSV header only in an empty file).</summary>
    public static TrainingLog Open(string path, bool append)
    {
        var stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
        var log = new TrainingLog(new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" }, IsCsv(path));
        if (log.csv && stream.Length == 0)
        {
            log.writer.WriteLine(string.Join(',', EpochRow.Columns));
            log.writer.Flush();
        }
        return log;
    }

    /// <summary>Writes one epoch and flushes it to the file.</summary>
    public void Write(EpochRow row)
    {
        writer.WriteLine(csv ? row.ToCsv() : row.ToJson().ToJsonString());
        writer.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => writer.Dispose();

    /// <summary>Reads a log written by <see cref="Write"/> (JSON lines or CSV by extension); a malformed line is an error naming the file and line.</summary>
    public static IReadOnlyList<EpochRow> Read(string path)
    {
        var rows = new List<EpochRow>();
        bool csv = IsCsv(path);
        string[]? header = null;
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            string Where() => $"{path}, line {lineNumber}";
            if (csv && header is null)
            {
                header = line.Split(',', StringSplitOptions.TrimEntries);
                foreach (var c in EpochRow.Columns)
                    if (!header.Contains(c)) throw new InvalidDataException($"{Where()}: the CSV header has no '{c}' column (want {string.Join(",", EpochRow.Columns)}).");
                continue;
            }
            Func<string, string?> field;
            if (csv)
            {
                string[] cells = line.Split(',', StringSplitOptions.TrimEntries);
                if (cells.Length != header!.Length) throw new InvalidDataException($"{Where()}: {cells.Length} fields, but the header has {header.Length}.");
                field = c => cells[Array.IndexOf(header, c)];
            }
            else
            {
                JsonObject o;
                try
                {
                    o = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"{Where()}: not a JSON object.");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{Where()}: not JSON ({e.Message}).");
                }
                field = c => o.TryGetPropertyValue(c, out var v) && v is JsonValue jv
                    ? jv.TryGetValue(out string? s) ? s : jv.ToJsonString()
                    : null;
            }
            double Number(string c) =>
                field(c) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new InvalidDataException($"{Where()}: '{c}' is missing or not a number.");
            double epoch = Number("epoch");
            if (epoch != Math.Floor(epoch) || epoch < 1 || epoch > int.MaxValue) throw new InvalidDataException($"{Where()}: epoch {epoch} is not a positive integer.");
            rows.Add(new EpochRow((int)epoch, Number("train_loss"), Number("train_accuracy"), Number("valid_loss"), Number("valid_accuracy"), Number("learning_rate"), Number("seconds")));
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no epochs in the log.");
        return rows;
    }
}
