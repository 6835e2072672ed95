using System.Text.Json;

namespace Mlp.Tests.Cli;

/// <summary>
/// Every failure a user can cause: one line on stderr naming the argument or file and what is wrong, exit 2 (usage or
/// data) or 1 (a check failed), no stack trace, and nothing written — output paths and arguments are checked before any work.
/// </summary>
public sealed class ErrorBoundaryTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-err-" + Guid.NewGuid().ToString("N"));
    private readonly string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");

    public ErrorBoundaryTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    private string F(string name) => Path.Combine(dir, name);

    /// <summary>Runs mlp and checks the one-line contract; returns the line.</summary>
    private static string OneLine(int exitCode, params string[] args)
    {
        var r = MlpProcess.Run(args);
        string[] lines = CommandLineTests.Lines(r.Stderr);
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, want {exitCode}: {r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr);
        return Assert.Single(lines);
    }

    private string[] Train(params string[] extra) => ["train", "--data", data, "--limit", "600", "--hidden", "16", "--epochs", "1", .. extra];

    public static TheoryData<string, string, string> BadOutputs() => new()
    {
        { "--save", "DIR", "is a directory" },
        { "--checkpoint", "DIR", "is a directory" },
        { "--plot", "DIR/x.png", "" },                        // passes: a control that the folder itself is fine
        { "--log", "DIR", "is a directory" },
        { "--save", "DIR/no/such/folder/m.safetensors", "does not exist" },
        { "--save", "/dev/null", "system folder" },
        { "--checkpoint", "/proc/version", "system folder" },
        { "--plot", "DIR/curves.txt", "ending in .png" },
        { "--log", "DIR/run.txt", "ending in .jsonl or .json or .csv" },
    };

    [Theory]
    [MemberData(nameof(BadOutputs))]
    public void An_output_path_that_cannot_be_written_is_refused_before_training(string option, string path, string problem)
    {
        path = path.Replace("DIR", dir);
        if (problem.Length == 0)
        {
            var ok = MlpProcess.Run(Train(option, path, "--json"));
            Assert.True(ok.ExitCode == 0, ok.Stderr);
            return;
        }
        var r = MlpProcess.Run(Train(option, path));
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(CommandLineTests.Lines(r.Stderr));
        Assert.Contains($"{option} {path}", line);
        Assert.Contains(problem, line);
        Assert.Equal("", r.Stdout);   // refused before the data was loaded: the setup report never started
    }

    [Fact]
    public void Eval_predictions_naming_a_directory_are_refused_before_the_model_is_read()
    {
        File.WriteAllText(F("fake.safetensors"), "not a model: reading it would be a different error");
        string line = OneLine(2, "eval", "--data", data, "--model", F("fake.safetensors"), "--predictions", dir);
        Assert.StartsWith("mlp eval: ", line);
        Assert.Contains($"--predictions {dir}: is a directory", line);
    }

    [Theory]
    [InlineData("", "size 1 is empty")]
    [InlineData("100,,50", "size 2 is empty")]
    [InlineData("100,-5", "'-5' is not such a size")]
    [InlineData("70000", "'70000' is not such a size")]
    [InlineData("65536,65536", "the limit is 67,108,864")]
    public void Hidden_sizes_that_are_empty_or_absurd_are_refused(string hidden, string problem)
    {
        string line = OneLine(2, Train("--hidden", hidden));
        Assert.Contains("--hidden", line);
        Assert.Contains(problem, line);
    }

    [Theory]
    [InlineData("--seed", "18446744073709551615")]
    [InlineData("--seed", "-1")]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "NaN")]
    [InlineData("--batch", "0")]
    [InlineData("--epochs", "-1")]
    [InlineData("--momentum", "1.5")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--limit", "0")]
    public void A_value_out_of_range_names_the_option_and_the_value(string option, string value)
    {
        string line = OneLine(2, Train(option, value));
        Assert.Contains(option, line);
        Assert.Contains($"'{value}'", line);
    }

    [Fact]
    public void The_largest_accepted_seed_trains_and_resumes_from_its_checkpoint()
    {
        string seed = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var r = MlpProcess.Run(Train("--seed", seed, "--checkpoint", F("run.ckpt"), "--json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var resumed = MlpProcess.Run("train", "--data", data, "--limit", "600", "--resume", F("run.ckpt"), "--epochs", "2", "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(2, JsonDocument.Parse(resumed.Stdout).RootElement.GetProperty("result").GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public void Resuming_on_other_rows_or_other_data_is_refused_naming_both()
    {
        var r = MlpProcess.Run(Train("--checkpoint", F("run.ckpt"), "--json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        string line = OneLine(2, "train", "--data", data, "--limit", "500", "--resume", F("run.ckpt"), "--epochs", "2");
        Assert.Contains("600 rows", line);
        Assert.Contains("500 rows", line);
        Assert.Contains("--limit", line);
        string other = Path.Combine(MlpProcess.RepoRoot(), "..", "shared", "data", "mnist-t10k");
        if (Directory.Exists(other))
        {
            line = OneLine(2, "train", "--data", other, "--limit", "600", "--resume", F("run.ckpt"), "--epochs", "2");
            Assert.Contains("mean", line);
        }
    }

    [Fact]
    public void A_diverging_run_is_a_failed_check_exit_1_in_one_line()
    {
        string line = OneLine(1, Train("--lr", "1000", "--save", F("m.safetensors")));
        Assert.Contains("diverged", line);
        Assert.False(File.Exists(F("m.safetensors")));
    }

    [Fact]
    public void A_file_that_is_not_what_it_claims_is_one_line_naming_it_exit_2()
    {
        File.WriteAllText(F("fake.safetensors"), "this is not a safetensors file");
        string line = OneLine(2, "eval", "--data", data, "--model", F("fake.safetensors"));
        Assert.Contains("fake.safetensors", line);
        File.WriteAllText(F("fake.npz"), "PK not really");
        line = OneLine(2, "gradcheck", "--reference", F("fake.npz"));
        Assert.Contains("fake.npz", line);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_to_the_same_line()
    {
        File.WriteAllText(F("fake.safetensors"), "this is not a safetensors file");
        var r = MlpProcess.Run("eval", "--data", data, "--model", F("fake.safetensors"), "--verbose");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("   at ", r.Stderr);
        Assert.StartsWith("mlp eval: ", r.Stderr);
    }

    [Theory]
    [InlineData("train --sede 3", "did you mean --seed?")]
    [InlineData("trian", "did you mean train?")]
    [InlineData("eval", "--model")]
    [InlineData("train --save a.safetensors b", "unexpected argument 'b'")]
    public void A_command_line_the_parser_refuses_is_one_line_with_a_hint(string args, string hint)
    {
        Assert.Contains(hint, OneLine(2, args.Split(' ')));
    }
}
