using System.Globalization;
using System.Text.Json;

namespace Mlp.Tests.Cli;

/// <summary><c>mlp train --log</c>: one JSON line or CSV row per epoch, matching the run's own report; <c>mlp plot</c> draws it.</summary>
public sealed class TrainingLogTests : IDisposable
{
    private static readonly string[] Columns = ["epoch", "train_loss", "train_accuracy", "valid_loss", "valid_accuracy", "learning_rate", "seconds"];

    private readonly string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-log-" + Guid.NewGuid().ToString("N"));
    private readonly string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");

    public TrainingLogTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    private string F(string name) => Path.Combine(dir, name);

    private JsonElement Train(params string[] extra)
    {
        var r = MlpProcess.Run(["train", "--data", data, "--limit", "800", "--hidden", "16", "--batch", "50", "--json", .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("result").GetProperty("epochs");
    }

    [Fact]
    public void Json_lines_hold_one_object_per_epoch_with_the_runs_metrics_and_the_cosine_learning_rate()
    {
        var report = Train("--epochs", "3", "--lr", "0.2", "--schedule", "cosine", "--log", F("run.jsonl"));
        string[] lines = File.ReadAllLines(F("run.jsonl"));
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            var row = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(Columns, row.EnumerateObject().Select(p => p.Name));
            Assert.Equal(i + 1, row.GetProperty("epoch").GetInt32());
            foreach (var c in Columns)
                Assert.Equal(report[i].GetProperty(c).GetDouble(), row.GetProperty(c).GetDouble());
            // Cosine annealing: 0.2 · ½(1 + cos(π·e/3)) in epoch e (0-based).
            Assert.Equal(0.2 * 0.5 * (1 + Math.Cos(Math.PI * i / 3)), row.GetProperty("learning_rate").GetDouble(), 6);
            Assert.InRange(row.GetProperty("train_accuracy").GetDouble(), 0, 1);
            Assert.True(row.GetProperty("seconds").GetDouble() > 0);
        }
    }

    [Fact]
    public void Csv_has_a_header_and_one_row_per_epoch_and_a_resumed_run_appends_its_epochs()
    {
        var first = Train("--epochs", "2", "--log", F("run.csv"), "--checkpoint", F("run.ckpt"));
        var resumed = MlpProcess.Run("train", "--data", data, "--limit", "800", "--resume", F("run.ckpt"), "--epochs", "3", "--log", F("run.csv"), "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        string[] lines = File.ReadAllLines(F("run.csv"));
        Assert.Equal(string.Join(',', Columns), lines[0]);
        Assert.Equal(4, lines.Length);   // header + epochs 1, 2 (first run) + 3 (resumed)
        var rows = lines[1..].Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal([1.0, 2.0, 3.0], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(Columns.Length, r.Length));
        Assert.Equal(first[1].GetProperty("valid_loss").GetDouble(), rows[1][3]);
        var third = JsonDocument.Parse(resumed.Stdout).RootElement.GetProperty("result").GetProperty("epochs")[2];
        Assert.Equal(third.GetProperty("train_loss").GetDouble(), rows[2][1]);
        Assert.All(rows, r => Assert.Equal(0.1, r[5]));   // sgd's default rate, constant
    }

    [Fact]
    public void Plot_draws_a_png_from_a_log_and_names_a_bad_line()
    {
        Train("--epochs", "2", "--log", F("run.jsonl"));
        var r = MlpProcess.Run("plot", F("run.jsonl"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(F("run.png"))[..4]);

        File.AppendAllText(F("run.jsonl"), "{\"epoch\":3,\"train_loss\":\"oops\"}\n");
        var bad = MlpProcess.Run("plot", F("run.jsonl"), "-o", F("bad.png"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{F("run.jsonl")}, line 3", Assert.Single(CommandLineTests.Lines(bad.Stderr)));
        Assert.False(File.Exists(F("bad.png")));
    }
}
