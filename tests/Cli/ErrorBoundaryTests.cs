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

    [Fact]
    public void Json_output_with_nan_in_it_is_still_valid_json_or_one_line()
    {
        // Constant images: the training std is 0, so normalized inputs and every statistic after them are NaN.
        string idx = WriteIdx("flat", 20, 10, _ => 0);
        var r = MlpProcess.Run("walkthrough", "--data", idx, "--json");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("(Parameter '", r.Stderr);
        if (r.ExitCode == 0)
        {
            var facts = JsonDocument.Parse(r.Stdout).RootElement;   // throws on NaN written as a bare token
            Assert.Equal("NaN", facts.GetProperty("normalization").GetProperty("train_mean_after").GetString());
        }
        else
        {
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(idx, Assert.Single(CommandLineTests.Lines(r.Stderr)));
        }
    }

    /// <summary>A t10k IDX pair of <paramref name="rows"/> 28×28 images with <paramref name="pixel"/>(i) pixels and labels i % classes.</summary>
    private string WriteIdx(string name, int rows, int classes, Func<int, byte> pixel)
    {
        string idx = Path.Combine(dir, name);
        Directory.CreateDirectory(idx);
        static byte[] Header(int magic, params int[] dims) =>
            [.. new[] { magic }.Concat(dims).SelectMany(v => BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v)))];
        File.WriteAllBytes(Path.Combine(idx, "t10k-images-idx3-ubyte"), [.. Header(0x803, rows, 28, 28), .. Enumerable.Range(0, rows * 784).Select(pixel)]);
        File.WriteAllBytes(Path.Combine(idx, "t10k-labels-idx1-ubyte"), [.. Header(0x801, rows), .. Enumerable.Range(0, rows).Select(i => (byte)(i % classes))]);
        return idx;
    }

    [Fact]
    public void Evaluating_a_model_with_fewer_classes_than_the_labels_names_both()
    {
        string five = WriteIdx("five", 40, 5, i => (byte)(i * 7919 % 251));
        var t = MlpProcess.Run("train", "--data", five, "--hidden", "8", "--epochs", "1", "--save", F("five.safetensors"), "--json");
        Assert.True(t.ExitCode == 0, t.Stderr);
        string line = OneLine(2, "eval", "--data", data, "--model", F("five.safetensors"));
        Assert.Contains("five.safetensors", line);
        Assert.Contains("predicts 5 classes", line);
        Assert.Contains("labels up to 9", line);
    }

    [Fact]
    public void A_report_with_non_finite_numbers_is_valid_json_with_them_as_strings()
    {
        var report = new Mlp.Cli.Report(json: true);
        report.Section("result", "Result");
        report.Fact("loss", double.NaN, "");
        report.Fact("accuracy", 0.5, "");
        report.Fact("grad", float.PositiveInfinity, "");
        var parsed = JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("result");
        Assert.Equal("NaN", parsed.GetProperty("loss").GetString());
        Assert.Equal(0.5, parsed.GetProperty("accuracy").GetDouble());
        Assert.Equal("Infinity", parsed.GetProperty("grad").GetString());
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

/// <summary>Ctrl+C (SIGINT) during training: stops after the current step, writes the checkpoint, exits 130.</summary>
public sealed class CancelTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-cancel-" + Guid.NewGuid().ToString("N"));

    public CancelTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public async Task Sigint_stops_training_with_a_resumable_checkpoint_and_exit_130()
    {
        string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");
        string ckpt = Path.Combine(dir, "run.ckpt");
        // A process started in the background by a non-interactive shell (a CI script run with `&`, nohup) inherits SIGINT
        // ignored, and so would mlp: Ctrl+C could not reach it and it would train all 1000 epochs and exit 0. Then start it
        // through coreutils' `env --default-signal=INT`, which gives it the default disposition that the runtime hooks.
        bool sigintIgnored = SigintIgnored();
        var psi = new System.Diagnostics.ProcessStartInfo(sigintIgnored ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (sigintIgnored)
            foreach (var a in new[] { "--default-signal=INT", "dotnet" }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mlp.dll"), "train", "--data", data, "--hidden", "16", "--epochs", "1000", "--checkpoint", ckpt })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null && !line.StartsWith("epoch 1/1000:", StringComparison.Ordinal)) { }
        Assert.NotNull(line);   // the first epoch finished (and wrote the checkpoint)
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        string rest = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "mlp did not stop after SIGINT");
        Assert.Equal(130, p.ExitCode);
        Assert.DoesNotContain("   at ", await stderr);
        Assert.Contains($"resume with --resume {ckpt}", rest);
        var resumed = MlpProcess.Run("train", "--data", data, "--resume", ckpt, "--epochs", "3", "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
    }

    // Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status), which its children inherit.
    private static bool SigintIgnored()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status)) return false;
        string? line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 2) != 0;
    }
}
