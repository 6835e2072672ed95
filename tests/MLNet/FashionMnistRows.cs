using System.Globalization;
using System.IO.Compression;
using System.Text;
using Mlp.Data;

namespace Mlp.MLNet.Tests;

/// <summary>
/// The suite's data: 6000 training and 2000 test rows of Fashion-MNIST (pixels / 255, then normalized with the
/// training mean and std as the lesson does), read from
/// /usr/share/datasets/fashion-mnist (train = first 6000 of the training file, test = first 2000 of t10k), or,
/// when that is absent, from the repository's embedded t10k split (train = first 6000, test = last 2000).
/// Also written once as CSV files (label, then 784 pixels) for the ML.NET text-loader tests.
/// </summary>
public sealed class FashionMnistRows : IDisposable
{
    public const int TrainRows = 6000, TestRows = 2000, Pixels = 784;
    private const string SystemDir = "/usr/share/datasets/fashion-mnist";

    public FashionMnistRows()
    {
        if (File.Exists(Path.Combine(SystemDir, "train-images-idx3-ubyte.gz")))
        {
            Train = ReadIdx(Path.Combine(SystemDir, "train-images-idx3-ubyte.gz"), Path.Combine(SystemDir, "train-labels-idx1-ubyte.gz"), 0, TrainRows);
            Test = ReadIdx(Path.Combine(SystemDir, "t10k-images-idx3-ubyte.gz"), Path.Combine(SystemDir, "t10k-labels-idx1-ubyte.gz"), 0, TestRows);
            Description = $"{SystemDir}: first {TrainRows} of train, first {TestRows} of t10k";
        }
        else
        {
            string dir = Path.Combine(RepoRoot(), "data", "fashion-mnist");
            string images = Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), labels = Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
            Train = ReadIdx(images, labels, 0, TrainRows);
            Test = ReadIdx(images, labels, 10000 - TestRows, TestRows);
            Description = $"{dir}: first {TrainRows} and last {TestRows} of t10k";
        }
        // The lesson's normalize(x, mean, std) with the training set's statistics, for every split.
        var xs = Train.X.AsSpan();
        double sum = 0, sq = 0;
        foreach (float v in xs) sum += v;
        Mean = (float)(sum / xs.Length);
        foreach (float v in xs) sq += (v - Mean) * (double)(v - Mean);
        Std = (float)Math.Sqrt(sq / (xs.Length - 1));
        Train = Normalize(Train);
        Test = Normalize(Test);
        Directory = System.IO.Directory.CreateTempSubdirectory("mlp-mlnet-").FullName;
        TrainCsv = Path.Combine(Directory, "train.csv");
        TestCsv = Path.Combine(Directory, "test.csv");
        WriteCsv(Train, TrainCsv);
        WriteCsv(Test, TestCsv);
    }

    /// <summary>Training rows, normalized with the training mean and std.</summary>
    public Dataset Train { get; }

    /// <summary>Test rows, normalized with the training mean and std.</summary>
    public Dataset Test { get; }

    public float Mean { get; }
    public float Std { get; }

    private Dataset Normalize(Dataset d)
    {
        float mean = Mean, std = Std;
        return d.WithFeatures(Tensor.Create([d.Count, d.Features], buf =>
        {
            var x = d.X.AsSpan();
            for (int i = 0; i < buf.Length; i++) buf[i] = (x[i] - mean) / std;
        }));
    }
    public string Description { get; }
    public string Directory { get; }
    public string TrainCsv { get; }
    public string TestCsv { get; }

    /// <summary>Writes "label,p0,…,p783" rows with round-trip float text, so a text loader reads back the same floats.</summary>
    public static void WriteCsv(Dataset data, string path)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var x = data.X.AsSpan();
        int m = data.Features;
        var sb = new StringBuilder();
        for (int i = 0; i < data.Count; i++)
        {
            sb.Clear().Append(data.Labels[i].ToString(CultureInfo.InvariantCulture));
            for (int j = 0; j < m; j++) sb.Append(',').Append(x[i * m + j].ToString("R", CultureInfo.InvariantCulture));
            w.WriteLine(sb);
        }
    }

    /// <summary>A minimal IDX reader for the test data (gzipped images and labels; pixels / 255).</summary>
    public static Dataset ReadIdx(string imagesPath, string labelsPath, int start, int count)
    {
        byte[] img = Gunzip(imagesPath), lab = Gunzip(labelsPath);
        if (BigEndian(img, 0) != 2051 || BigEndian(lab, 0) != 2049) throw new InvalidDataException($"{imagesPath} / {labelsPath}: not IDX images / labels.");
        int n = BigEndian(img, 4), rows = BigEndian(img, 8), cols = BigEndian(img, 12);
        if (BigEndian(lab, 4) != n || rows * cols != Pixels || start + count > n) throw new InvalidDataException($"{imagesPath}: unexpected sizes.");
        var x = new float[count * Pixels];
        for (int i = 0; i < x.Length; i++) x[i] = img[16 + start * Pixels + i] / 255f;
        var y = new int[count];
        for (int i = 0; i < count; i++) y[i] = lab[8 + start + i];
        return new Dataset(Tensor.FromArray(x, count, Pixels), y, $"{Path.GetFileName(imagesPath)}[{start}..{start + count})");
    }

    /// <summary>The repository root: the nearest ancestor of the test binaries holding Mlp.sln.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Mlp.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"No Mlp.sln above {AppContext.BaseDirectory}.");
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class FashionMnistCollection : ICollectionFixture<FashionMnistRows>
{
    public const string Name = "Fashion-MNIST rows";
}
