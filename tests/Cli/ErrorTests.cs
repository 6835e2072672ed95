namespace Mlp.Tests.Cli;

/// <summary>What a user sees when they ask for help or get something wrong.</summary>
public class ErrorTests
{
    [Fact]
    public void Help_lists_the_commands_and_exits_0()
    {
        var r = MlpProcess.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("walkthrough", r.Stdout);
        Assert.Contains("Usage", r.Stdout);
    }

    [Fact]
    public void Walkthrough_help_describes_its_options()
    {
        var r = MlpProcess.Run("walkthrough", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--data", r.Stdout);
        Assert.Contains("--seed", r.Stdout);
        Assert.Contains("--json", r.Stdout);
    }

    [Fact]
    public void A_missing_dataset_says_how_to_get_one()
    {
        var r = MlpProcess.Run("--data", "/nonexistent/fashion");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/fashion", r.Stderr);
        Assert.Contains("apt-get install dataset-fashion-mnist", r.Stderr);
    }

    [Fact]
    public void An_unknown_option_is_named_with_the_known_ones()
    {
        var r = MlpProcess.Run("--sede", "3");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--sede", r.Stderr);
        Assert.Contains("--seed", r.Stderr);
    }

    [Fact]
    public void A_bad_seed_value_is_refused_with_the_option_name()
    {
        var r = MlpProcess.Run("--seed", "minus-one");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--seed", r.Stderr);
        Assert.Contains("minus-one", r.Stderr);
    }

    [Fact]
    public void An_unknown_command_lists_the_commands()
    {
        var r = MlpProcess.Run("trian");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("trian", r.Stderr);
        Assert.Contains("train", r.Stderr);
    }
}
