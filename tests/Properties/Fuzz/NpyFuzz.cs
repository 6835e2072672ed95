using System.IO.Compression;
using FsCheck;
using FsCheck.Xunit;
using Mlp.Numpy;

namespace Mlp.Tests.Properties.Fuzz;

/// <summary>
/// Damaged .npy and .npz files — real ones written by numpy and PyTorch (tests/fixtures), truncated, bit-flipped,
/// overwritten, or with header text mutated — are either read or refused with an
/// <see cref="InvalidDataException"/> that names the source; never another exception, never a large allocation.
/// </summary>
public class NpyFuzz
{
    private sealed record Sample(string Name, byte[] Bytes, bool IsNpz);

    private static readonly Lazy<Sample[]> Corpus = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string root = Path.Combine(dir.FullName, "tests", "fixtures");
            if (!Directory.Exists(Path.Combine(root, "torch"))) continue;
            return Directory.GetFiles(Path.Combine(root, "numpy")).Concat(Directory.GetFiles(Path.Combine(root, "torch")))
                .Order()
                .Select(f => new Sample(Path.GetFileName(f), File.ReadAllBytes(f), f.EndsWith(".npz", StringComparison.Ordinal)))
                .ToArray();
        }
        throw new DirectoryNotFoundException($"tests/fixtures not found above {AppContext.BaseDirectory}.");
    });

    private static Sample Pick(int i) => Corpus.Value[(int)((uint)i % (uint)Corpus.Value.Length)];

    /// <summary>Reads <paramref name="bytes"/> as the sample's kind; true if read or refused properly, with the reason otherwise.</summary>
    private static bool ReadsOrRefuses(byte[] bytes, bool isNpz, string what)
    {
        string source = isNpz ? "fuzz.npz" : "fuzz.npy";
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            if (isNpz)
            {
                var npz = NpzReader.Read(new MemoryStream(bytes, writable: false), source);
                foreach (var a in npz.Values) _ = a.ToTensor();
                if (npz.ContainsKey("x")) _ = LessonReference.FromArchive(npz); // a PyTorch reference with a damaged array
            }
            else _ = NpyReader.FromBytes(bytes, source).ToTensor();
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(source, StringComparison.Ordinal))
        {
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {e.GetType().Name} instead of success or InvalidDataException naming the source: {e.Message}");
        }
        // Deflate can legitimately expand ~1000×; anything beyond that came from believing a header.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long bound = (4L << 20) + 1100L * bytes.Length;
        if (allocated > bound) throw new Xunit.Sdk.XunitException($"{what}: allocated {allocated} bytes for a {bytes.Length}-byte file");
        return true;
    }

    [Property(MaxTest = 1000)]
    public bool Truncated_files_are_read_or_refused_with_InvalidData(int file, NonNegativeInt cut)
    {
        var s = Pick(file);
        int length = cut.Get % (s.Bytes.Length + 1);
        return ReadsOrRefuses(s.Bytes[..length], s.IsNpz, $"{s.Name} cut to {length} bytes");
    }

    [Property(MaxTest = 1500)]
    public bool Bit_flipped_files_are_read_or_refused_with_InvalidData(int file, NonNegativeInt[] bits)
    {
        var s = Pick(file);
        byte[] b = (byte[])s.Bytes.Clone();
        // Half the flips land in the first 256 bytes, where the zip and npy headers are.
        foreach (var bit in bits.Take(8))
        {
            long range = bit.Get % 2 == 0 ? Math.Min(256L * 8, b.Length * 8L) : b.Length * 8L;
            long at = bit.Get / 2 % range;
            b[at / 8] ^= (byte)(1 << (int)(at % 8));
        }
        return ReadsOrRefuses(b, s.IsNpz, $"{s.Name} with bits {string.Join(",", bits.Take(8).Select(x => x.Get))} flipped");
    }

    [Property(MaxTest = 1000)]
    public bool Overwritten_byte_runs_are_read_or_refused_with_InvalidData(int file, NonNegativeInt at, byte[] run)
    {
        var s = Pick(file);
        byte[] b = (byte[])s.Bytes.Clone();
        int start = at.Get % b.Length;
        int n = Math.Min(run.Length, b.Length - start);
        run.AsSpan(0, n).CopyTo(b.AsSpan(start));
        return ReadsOrRefuses(b, s.IsNpz, $"{s.Name} overwritten at {start} with {Convert.ToHexString(run.AsSpan(0, n))}");
    }

    // Characters a Python dict literal of a .npy header is made of, so mutations reach deep into the parser.
    private const string HeaderAlphabet = "0123456789(),'\"{}: LTrueFalse<>|=fiuOc48-\n\t_descrshapeortran";

    [Property(MaxTest = 1500)]
    public bool Npy_files_with_mutated_header_text_are_read_or_refused_with_InvalidData(int file, NonNegativeInt[] edits, bool insideAnNpz)
    {
        var npys = Corpus.Value.Where(c => !c.IsNpz).ToArray();
        var s = npys[(int)((uint)file % (uint)npys.Length)];
        var b = new List<byte>(s.Bytes);
        int headerEnd = Math.Min(b.Count, 10 + (s.Bytes[8] | s.Bytes[9] << 8));
        var described = new List<string>();
        foreach (var e in edits.Take(6))
        {
            int pos = 8 + e.Get % Math.Max(1, headerEnd - 8);
            byte c = (byte)HeaderAlphabet[e.Get / 7 % HeaderAlphabet.Length];
            switch (e.Get / 3 % 3)
            {
                case 0: b[pos] = c; described.Add($"set {pos}='{(char)c}'"); break;
                case 1: b.Insert(pos, c); described.Add($"insert {pos}='{(char)c}'"); break;
                default: b.RemoveAt(pos); described.Add($"delete {pos}"); break;
            }
        }
        byte[] npy = [.. b];
        string what = $"{s.Name} header edits [{string.Join("; ", described)}]{(insideAnNpz ? " inside an npz" : "")}";
        if (!insideAnNpz) return ReadsOrRefuses(npy, false, what);
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("x.npy", edits.Length % 2 == 0 ? CompressionLevel.NoCompression : CompressionLevel.Fastest).Open();
            entry.Write(npy);
        }
        return ReadsOrRefuses(ms.ToArray(), true, what);
    }
}
