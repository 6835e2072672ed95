using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mlp.Tests.Cli;

/// <summary>The command line as System.CommandLine gives it: generated help, --version, aliases, response files, --, completions.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-line-" + Guid.NewGuid().ToString("N"));
    private readonly string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");

    public CommandLineTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    private string F(string name) => Path.Combine(dir, name);

    public static TheoryData<string> CommandNames() => [.. Mlp.Cli.Program.Root().Subcommands.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_option_and_alias_of_a_command_is_in_its_generated_help(string name)
    {
        var command = Mlp.Cli.Program.Root().Subcommands.Single(c => c.Name == name);
        var r = MlpProcess.Run(name, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"Usage:\n  mlp {name}", r.Stdout.Replace("\r", ""));
        Assert.Contains("Options:", r.Stdout);
        Assert.Contains(command.Options, o => !o.Hidden);
        foreach (var o in command.Options.Where(o => !o.Hidden))
        {
            Assert.Contains(o.Name, r.Stdout);
            foreach (var alias in o.Aliases) Assert.Contains(alias + ",", r.Stdout);   // "-e, --epochs"
            if (o.Description is { Length: > 0 } d) Assert.Contains(d[..Math.Min(d.Length, 30)], r.Stdout);
        }
    }

    [Fact]
    public void Top_level_help_lists_each_command_with_the_first_line_of_its_description()
    {
        var r = MlpProcess.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in Mlp.Cli.Program.Root().Subcommands)
        {
            string summary = c.Description!.Split('\n')[0];
            Assert.Matches($@"\n  {c.Name}( <\w+>)? +{Regex.Escape(summary)}\r?\n", r.Stdout);
        }
        Assert.Contains("--version", r.Stdout);
    }

    [Fact]
    public void Version_prints_the_assembly_version_and_exits_0()
    {
        var r = MlpProcess.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", r.Stdout.Trim());
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void Short_aliases_and_a_response_file_train_exactly_as_the_long_options()
    {
        string[] common = ["--data", data, "--hidden", "16", "--json"];
        var longForm = MlpProcess.Run(["train", .. common, "--limit", "600", "--epochs", "1", "--batch", "40", "--seed", "3", "--save", F("long.safetensors")]);
        Assert.True(longForm.ExitCode == 0, longForm.Stderr);
        var shortForm = MlpProcess.Run(["train", .. common, "-n", "600", "-e", "1", "-b", "40", "-s", "3", "-o", F("short.safetensors")]);
        Assert.True(shortForm.ExitCode == 0, shortForm.Stderr);
        Assert.Equal(File.ReadAllBytes(F("long.safetensors")), File.ReadAllBytes(F("short.safetensors")));

        // Response file: several arguments per line, a comment; a later argument overrides the file's (-e 1 after -e 7).
        File.WriteAllText(F("run.rsp"), $"# a run\n--limit 600 --epochs 7\n--batch 40\n-s 3\n--save {F("rsp.safetensors")}\n");
        var fromFile = MlpProcess.Run(["train", .. common, "@" + F("run.rsp"), "-e", "1"]);
        Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);
        Assert.Equal(1, JsonDocument.Parse(fromFile.Stdout).RootElement.GetProperty("result").GetProperty("epochs").GetArrayLength());
        Assert.Equal(File.ReadAllBytes(F("long.safetensors")), File.ReadAllBytes(F("rsp.safetensors")));
    }

    [Fact]
    public void Without_a_command_the_walkthrough_runs_with_its_options_from_a_response_file()
    {
        File.WriteAllText(F("w.rsp"), $"--data {data}\n--seed 3\n--json\n");
        var r = MlpProcess.Run("@" + F("w.rsp"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(8000, JsonDocument.Parse(r.Stdout).RootElement.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public void A_missing_response_file_is_one_line_and_exit_2()
    {
        var r = MlpProcess.Run("train", "@" + F("missing.rsp"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.rsp", Assert.Single(Lines(r.Stderr)));
    }

    [Fact]
    public void Double_dash_ends_the_options_so_a_log_named_like_an_option_can_be_plotted()
    {
        string log = F("-odd.jsonl");
        File.WriteAllText(log, "{\"epoch\":1,\"train_loss\":1,\"train_accuracy\":0.5,\"valid_loss\":1.1,\"valid_accuracy\":0.4,\"learning_rate\":0.1,\"seconds\":1}\n");
        var r = MlpProcess.Run("plot", "-o", F("odd.png"), "--", log);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(F("odd.png"))[..4]);
    }

    [Theory]
    [InlineData("mlp train --optimizer ", "adam,sgd")]
    [InlineData("mlp train --schedule c", "constant,cosine")]
    [InlineData("mlp train --sc", "--schedule")]
    [InlineData("mlp tr", "train")]
    [InlineData("mlp bench --rows ", "a,b,c,c2,f,gemm")]
    public void The_suggest_directive_completes_commands_options_and_choices(string line, string expected)
    {
        var r = MlpProcess.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected.Split(','), Lines(r.Stdout));
    }

    [Fact]
    public void The_suggest_directive_completes_file_names_by_extension()
    {
        File.WriteAllText(F("a.safetensors"), "");
        File.WriteAllText(F("b.txt"), "");
        Directory.CreateDirectory(F("sub"));
        string line = $"mlp eval --model {dir}/";
        var r = MlpProcess.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([$"{dir}/a.safetensors", $"{dir}/sub/"], Lines(r.Stdout).Order(StringComparer.Ordinal));
    }

    internal static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
