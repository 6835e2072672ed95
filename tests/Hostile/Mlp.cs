using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mlp.Hostile;

/// <summary>
/// Runs the real <c>mlp</c> (mlp.dll beside these tests) under <c>/usr/bin/time</c> so its peak resident memory is
/// measured, with extra environment variables.
/// </summary>
internal static class Mlp
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, long PeakRssKb, string Command);

    public static string RepoRoot { get; } = FindRoot();

    public static string EmbeddedData => Path.Combine(RepoRoot, "data", "fashion-mnist");

    public static Result Run(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "mlp.dll");
        Assert.True(File.Exists(dll), $"mlp.dll is not beside the tests at {dll}");
        bool timed = File.Exists("/usr/bin/time");
        var psi = new ProcessStartInfo(timed ? "/usr/bin/time" : "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        string rssFile = Path.Combine(workDir, $"rss-{Guid.NewGuid():N}.txt");
        if (timed)
        {
            foreach (var a in new[] { "-f", "%M", "-o", rssFile, "dotnet" }) psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["DOTNET_gcServer"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"mlp {string.Join(' ', args)} did not finish within 3 minutes");
        }
        long rss = -1;
        if (timed && File.Exists(rssFile))
        {
            var m = Regex.Match(File.ReadAllText(rssFile), @"(\d+)\s*$");
            if (m.Success) rss = long.Parse(m.Groups[1].Value);
            File.Delete(rssFile);
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result, rss, "mlp " + string.Join(' ', args));
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Mlp.sln"))) return d.FullName;
        throw new InvalidOperationException("Mlp.sln not found above " + AppContext.BaseDirectory);
    }
}
