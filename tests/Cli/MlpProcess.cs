using System.Diagnostics;

namespace Mlp.Tests.Cli;

/// <summary>Runs the real <c>mlp</c> program (mlp.dll beside this test assembly) as a child process.</summary>
internal static class MlpProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mlp.dll");
        Assert.True(File.Exists(dll), $"mlp.dll is not beside the tests at {dll}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"mlp {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The repository root: the nearest ancestor of the test binaries holding Mlp.sln.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Mlp.sln"))) return d.FullName;
        throw new InvalidOperationException("Mlp.sln not found above " + AppContext.BaseDirectory);
    }
}
