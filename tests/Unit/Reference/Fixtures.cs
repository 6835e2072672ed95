namespace Mlp.Tests.Reference;

/// <summary>Finds the committed fixtures (tests/fixtures/…) by walking up from the test binary.</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(Path.Combine(candidate, "torch"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures not found above {AppContext.BaseDirectory}; the fixtures are part of the repository.");
    });

    /// <summary>The path of <paramref name="name"/> under tests/fixtures/torch (PyTorch references).</summary>
    public static string Torch(string name) => Path.Combine(Root.Value, "torch", name);

    /// <summary>The path of <paramref name="name"/> under tests/fixtures/numpy (files written by numpy).</summary>
    public static string Numpy(string name) => Path.Combine(Root.Value, "numpy", name);

    /// <summary>Every PyTorch reference fixture.</summary>
    public static string[] AllTorch() => Directory.GetFiles(Path.Combine(Root.Value, "torch"), "*.npz").Order().ToArray();
}
