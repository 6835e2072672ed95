using System.Text.Json;
using Mlp.Data;

namespace Mlp.Tests.Pipeline;

/// <summary>Paths and small datasets shared by the pipeline tests.</summary>
internal static class PipelineFixtures
{
    /// <summary>The repository root: the first ancestor of the test binary holding Mlp.sln.</summary>
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "Mlp.sln")))
        ?? throw new DirectoryNotFoundException($"Mlp.sln not found above {AppContext.BaseDirectory}.");

    /// <summary>A committed fixture under tests/fixtures/pipeline, parsed as JSON.</summary>
    public static JsonElement Json(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot, "tests", "fixtures", "pipeline", name))).RootElement;

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>The real MNIST test set (shared/data/mnist-t10k beside an ancestor of the test binary), or null when absent.</summary>
    public static string? MnistT10k { get; } =
        FindUp(d => Directory.Exists(Path.Combine(d, "shared", "data", "mnist-t10k"))) is { } root ? Path.Combine(root, "shared", "data", "mnist-t10k") : null;

    /// <summary>The embedded Fashion-MNIST test split (data/fashion-mnist in the repository), split 8000/2000 and normalized with the training statistics.</summary>
    public static Lazy<DatasetSplits> EmbeddedFashion { get; } = new(() =>
        Normalization.ByTrainStatistics(DataLoader.Load(Path.Combine(RepoRoot, "data", "fashion-mnist"))).Splits);

    private static string? FindUp(Func<string, bool> found)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (found(dir.FullName)) return dir.FullName;
        return null;
    }

    /// <summary>
    /// Gaussian blobs: <paramref name="classes"/> well-separated clusters in <paramref name="features"/> dimensions,
    /// <paramref name="n"/> rows. The centers are fixed; <paramref name="seed"/> draws the rows, so train and validation
    /// sets from different seeds share the same classes. A small MLP learns them to near 100% in a few epochs.
    /// </summary>
    public static Dataset Blobs(int n, int features, int classes, ulong seed)
    {
        Tensor centers = new Rng(1234).Normal(classes, features) * 3f;
        var rng = new Rng(seed);
        var labels = new int[n];
        var x = new float[n * features];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (int j = 0; j < features; j++) x[i * features + j] = centers[labels[i], j] + (float)rng.NextNormal();
        }
        return new Dataset(Tensor.FromArray(x, n, features), labels, $"blobs(n={n}, seed={seed})");
    }

    /// <summary>A fresh empty temporary directory, deleted by the caller with <see cref="Directory.Delete(string, bool)"/>.</summary>
    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "mlp-pipeline-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
