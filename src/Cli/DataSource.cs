using Mlp.Data;

namespace Mlp.Cli;

/// <summary>Chooses the dataset a command runs on: <c>--data</c>, else full Fashion-MNIST if installed, else the embedded test split.</summary>
internal static class DataSource
{
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    public const string HowToGetData =
        "Get a dataset with 'apt-get install dataset-fashion-mnist' (installs " + DebianFashionMnist + "), " +
        "or pass --data DIR (IDX files such as train-images-idx3-ubyte.gz) or --data FILE (the lesson's mnist.pkl.gz).";

    /// <summary>Why <c>--data <paramref name="path"/></c> cannot be read, with how to get a dataset; null when it exists.</summary>
    public static string? Problem(string path) =>
        File.Exists(path) || Directory.Exists(path) ? null : $"no such file or directory. {HowToGetData}";

    /// <summary>Loads the splits and says where they came from.</summary>
    public static DatasetSplits Load(string? path)
    {
        if (path != null)
        {
            if (Problem(path) is { } problem) throw new FileNotFoundException($"--data {path}: {problem}");
            return DataLoader.Load(path);
        }
        if (File.Exists(Path.Combine(DebianFashionMnist, "train-images-idx3-ubyte.gz")))
            return DataLoader.Load(DebianFashionMnist);
        return Embedded();
    }

    /// <summary>The Fashion-MNIST test split embedded in this program (10000 images; MIT licence, Zalando SE).</summary>
    public static DatasetSplits Embedded()
    {
        var asm = typeof(DataSource).Assembly;
        using var images = asm.GetManifestResourceStream("fashion-mnist/t10k-images-idx3-ubyte.gz")
            ?? throw new FileNotFoundException($"The embedded Fashion-MNIST images are missing from this build. {HowToGetData}");
        using var labels = asm.GetManifestResourceStream("fashion-mnist/t10k-labels-idx1-ubyte.gz")
            ?? throw new FileNotFoundException($"The embedded Fashion-MNIST labels are missing from this build. {HowToGetData}");
        return DataLoader.FromIdxStreams(null, null, images, labels, "embedded Fashion-MNIST t10k");
    }
}
