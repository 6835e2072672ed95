using System.Diagnostics;

namespace Mlp.Tests.Reference;

/// <summary>Runs Debian's /usr/bin/python3 (with python3-torch and python3-numpy), a real dependency of the reference tests.</summary>
internal static class Python
{
    private const string Exe = "/usr/bin/python3";
    private const string Install = "apt-get install python3-torch python3-numpy (CI's .ci/run does this)";

    /// <summary>The repository root (the directory holding tools/).</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tools", "torch_reference.py"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No tools/torch_reference.py above {AppContext.BaseDirectory}.");
    }

    /// <summary>Fails the test with a clear message unless /usr/bin/python3 can import <paramref name="modules"/>.</summary>
    public static void Require(params string[] modules)
    {
        var (code, _, err) = Start(["-c", "import " + string.Join(", ", modules)], TimeSpan.FromSeconds(300)); // import torch alone took > 60 s on a loaded 2-core machine
        Assert.True(code == 0, $"This test needs {Exe} with {string.Join(" and ", modules)}: {Install}. Python said: {err.Trim()}");
    }

    /// <summary>Runs python with <paramref name="args"/>; fails the test with stderr if it exits non-zero; returns stdout.</summary>
    public static string Run(IEnumerable<string> args, TimeSpan timeout)
    {
        var list = args.ToList();
        var (code, output, error) = Start(list, timeout);
        Assert.True(code == 0, $"{Exe} {string.Join(' ', list)} exited with {code}: {error.Trim()}");
        return output;
    }

    private static (int Code, string Out, string Err) Start(IReadOnlyList<string> args, TimeSpan timeout)
    {
        if (!File.Exists(Exe)) Assert.Fail($"{Exe} does not exist: {Install}.");
        var psi = new ProcessStartInfo(Exe) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{Exe} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s.");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
