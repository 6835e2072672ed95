using System.Buffers.Binary;
using System.IO.Compression;
using Mlp.Data;

namespace Mlp.Tests.Data;

/// <summary>Where the real datasets and fixtures are, and small builders for IDX bytes. Shared by Mlp.Unit and Mlp.Properties.</summary>
internal static class TestData
{
    /// <summary>The repository root: the nearest ancestor of the test binaries that holds Mlp.sln.</summary>
    public static string RepoRoot { get; } = Ancestors().FirstOrDefault(d => File.Exists(Path.Combine(d, "Mlp.sln")))
        ?? throw new DirectoryNotFoundException($"No Mlp.sln above {AppContext.BaseDirectory}.");

    /// <summary>The Fashion-MNIST test split embedded in the repository (data/fashion-mnist).</summary>
    public static string EmbeddedFashion => Path.Combine(RepoRoot, "data", "fashion-mnist");

    /// <summary>Debian's full Fashion-MNIST (CI installs dataset-fashion-mnist).</summary>
    public const string FullFashion = "/usr/share/datasets/fashion-mnist";

    /// <summary>The full Fashion-MNIST loaded once per test run (only touch it from a <see cref="FullFashionFactAttribute"/> test).</summary>
    public static DatasetSplits FullFashionSplits => FullFashionLoaded.Value;

    private static readonly Lazy<DatasetSplits> FullFashionLoaded = new(() => DataLoader.Load(FullFashion));

    /// <summary>
    /// The xunit collection of every test class that reads the full Fashion-MNIST (or another whole dataset): its
    /// classes run one at a time, so the test host never holds several copies of 188 MB of pixels at once.
    /// </summary>
    public const string WholeDatasets = "Whole datasets";

    public static bool HasFullFashion => File.Exists(Path.Combine(FullFashion, "train-images-idx3-ubyte.gz"));

    /// <summary>../shared/data/mnist-t10k beside the repository (or beside any ancestor), or null when absent.</summary>
    public static string? MnistT10k { get; } = Ancestors().Select(d => Path.Combine(d, "shared", "data", "mnist-t10k")).FirstOrDefault(Directory.Exists);

    public static string EmbeddedImages => Path.Combine(EmbeddedFashion, "t10k-images-idx3-ubyte.gz");
    public static string EmbeddedLabels => Path.Combine(EmbeddedFashion, "t10k-labels-idx1-ubyte.gz");

    public static string PickleFixture(string name) => Path.Combine(RepoRoot, "tests", "fixtures", "pickle", name);

    private static IEnumerable<string> Ancestors()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent) yield return d.FullName;
    }

    private static readonly Lazy<byte[]> EmbeddedImageBytes = new(() => Gunzip(File.ReadAllBytes(EmbeddedImages)));
    private static readonly Lazy<byte[]> EmbeddedLabelBytes = new(() => Gunzip(File.ReadAllBytes(EmbeddedLabels)));

    /// <summary>The first <paramref name="n"/> real Fashion-MNIST test images as a raw idx3 file with a correct header.</summary>
    public static byte[] RealImagesIdx(int n) => ImagesIdx(n, 28, 28, EmbeddedImageBytes.Value.AsSpan(16, n * 784));

    /// <summary>The first <paramref name="n"/> real Fashion-MNIST test labels as a raw idx1 file with a correct header.</summary>
    public static byte[] RealLabelsIdx(int n) => LabelsIdx(n, EmbeddedLabelBytes.Value.AsSpan(8, n));

    public static byte[] ImagesIdx(int n, int rows, int cols, ReadOnlySpan<byte> pixels) =>
        [.. Header(IdxMagicImages, (uint)n, (uint)rows, (uint)cols), .. pixels];

    public static byte[] LabelsIdx(int n, ReadOnlySpan<byte> labels) => [.. Header(IdxMagicLabels, (uint)n), .. labels];

    public const int IdxMagicImages = 2051, IdxMagicLabels = 2049;

    public static byte[] Header(int magic, params uint[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(h, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    /// <summary>A copy of <paramref name="data"/> with the big-endian 32-bit word at <paramref name="offset"/> replaced.</summary>
    public static byte[] WithWord(byte[] data, int offset, uint value)
    {
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="data"/> to a fresh temporary directory under <paramref name="fileName"/> and returns the path.</summary>
    public static string TempFile(string fileName, byte[] data)
    {
        string path = Path.Combine(TempDir(), fileName);
        File.WriteAllBytes(path, data);
        return path;
    }

    public static string TempDir()
    {
        string dir = Path.Combine(TempRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    // One folder per test process. The test host is killed rather than exiting normally, so instead of cleaning
    // up at exit, each run removes the folders of earlier test processes that are no longer running.
    private static readonly Lazy<string> TempRoot = new(() =>
    {
        string parent = Path.Combine(Path.GetTempPath(), "mlp-tests");
        Directory.CreateDirectory(parent);
        foreach (string stale in Directory.GetDirectories(parent))
        {
            string pid = Path.GetFileName(stale).Split('-')[0];
            bool gone = int.TryParse(pid, out int id) ? !IsRunning(id) : Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddHours(-1);
            if (gone)
                try { Directory.Delete(stale, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        string root = Path.Combine(parent, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    });

    private static bool IsRunning(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}

/// <summary>A stream that hides its length and cannot seek, like a pipe or a network stream.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7919));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A fact that runs only where Debian's full Fashion-MNIST is installed (CI installs it).</summary>
public sealed class FullFashionFactAttribute : FactAttribute
{
    public FullFashionFactAttribute()
    {
        if (!TestData.HasFullFashion) Skip = $"{TestData.FullFashion} is absent: apt-get install dataset-fashion-mnist";
    }
}

/// <summary>A fact that runs only where ../shared/data/mnist-t10k is beside the repository.</summary>
public sealed class MnistT10kFactAttribute : FactAttribute
{
    public MnistT10kFactAttribute()
    {
        if (TestData.MnistT10k == null) Skip = "shared/data/mnist-t10k is not beside the repository";
    }
}
