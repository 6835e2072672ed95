using Mlp.Lessons;
using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
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

    /// <summary>One damaged file; prints as what was done to which fixture, so a counterexample is readable.</summary>
    public sealed record Damaged(string Description, byte[] Bytes, bool IsNpz)
    {
        /// <inheritdoc/>
        public override string ToString() => Description;
    }

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

    private static Gen<Sample> AnyFile => Gen.Elements(Corpus.Value);

    private static Gen<Damaged> Truncations =>
        from s in AnyFile
        from length in Gen.Choose(0, s.Bytes.Length)
        select new Damaged($"{s.Name} cut to {length} of {s.Bytes.Length} bytes", s.Bytes[..length], s.IsNpz);

    private static Gen<Damaged> BitFlips =>
        from s in AnyFile
            // Half the flips land in the first 256 bytes, where the zip and npy headers are.
        from count in Gen.Choose(1, 8)
        from bits in Gen.ArrayOf(Gen.OneOf(Gen.Choose(0, Math.Min(256, s.Bytes.Length) * 8 - 1), Gen.Choose(0, s.Bytes.Length * 8 - 1)), count)
        select Flip(s, bits);

    private static Damaged Flip(Sample s, int[] bits)
    {
        byte[] b = (byte[])s.Bytes.Clone();
        foreach (int bit in bits) b[bit / 8] ^= (byte)(1 << (bit % 8));
        return new Damaged($"{s.Name} with bits {string.Join(", ", bits)} flipped", b, s.IsNpz);
    }

    private static Gen<Damaged> Overwrites =>
        from s in AnyFile
        from start in Gen.Choose(0, s.Bytes.Length - 1)
        from count in Gen.Choose(1, 16)
        from run in Gen.ArrayOf(Gen.Choose(0, 255).Select(v => (byte)v), count)
        select Overwrite(s, start, run);

    private static Damaged Overwrite(Sample s, int start, byte[] run)
    {
        byte[] b = (byte[])s.Bytes.Clone();
        int n = Math.Min(run.Length, b.Length - start);
        run.AsSpan(0, n).CopyTo(b.AsSpan(start));
        return new Damaged($"{s.Name} overwritten at {start} with {Convert.ToHexString(run, 0, n)}", b, s.IsNpz);
    }

    // Characters a .npy header's Python dict literal is made of, so mutations reach deep into the parser.
    private const string HeaderAlphabet = "0123456789(),'\"{}: LTrueFalse<>|=fiuOc48-\n\t_descrshapeortran";

    private sealed record Edit(int Kind, int Position, char Char);

    private static Gen<Damaged> HeaderEdits =>
        from s in Gen.Elements(Corpus.Value.Where(c => !c.IsNpz).ToArray())
        from count in Gen.Choose(1, 6)
        from edits in Gen.ArrayOf(
            from kind in Gen.Choose(0, 2)
            from pos in Gen.Choose(8, Math.Min(s.Bytes.Length, 10 + (s.Bytes[8] | s.Bytes[9] << 8)) - 1)
            from c in Gen.Elements(HeaderAlphabet.ToCharArray())
            select new Edit(kind, pos, c), count)
        from container in Gen.Choose(0, 2) // 0: bare .npy; 1: stored in an npz; 2: deflated in an npz
        select EditHeader(s, edits, container);

    private static Damaged EditHeader(Sample s, Edit[] edits, int container)
    {
        var b = new List<byte>(s.Bytes);
        foreach (var e in edits)
        {
            int pos = Math.Min(e.Position, b.Count - 1);
            switch (e.Kind)
            {
                case 0: b[pos] = (byte)e.Char; break;
                case 1: b.Insert(pos, (byte)e.Char); break;
                default: b.RemoveAt(pos); break;
            }
        }
        string what = $"{s.Name} header edits [{string.Join("; ", edits.Select(e => $"{"set,insert,delete".Split(',')[e.Kind]} {e.Position} '{e.Char}'"))}]";
        if (container == 0) return new Damaged(what, [.. b], false);
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("x.npy", container == 1 ? CompressionLevel.NoCompression : CompressionLevel.Fastest).Open();
            entry.Write([.. b]);
        }
        return new Damaged(what + (container == 1 ? " stored in an npz" : " deflated in an npz"), ms.ToArray(), true);
    }

    /// <summary>True if the file is read, or refused with an InvalidDataException naming the source, without allocating more than it could need.</summary>
    private static bool ReadsOrRefuses(Damaged d)
    {
        string source = d.IsNpz ? "fuzz.npz" : "fuzz.npy";
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            if (d.IsNpz)
            {
                var npz = NpzReader.Read(new MemoryStream(d.Bytes, writable: false), source);
                foreach (var a in npz.Values) _ = a.ToTensor();
                if (npz.ContainsKey("x")) _ = LessonReference.FromArchive(npz); // a PyTorch reference with a damaged array
            }
            else _ = NpyReader.FromBytes(d.Bytes, source).ToTensor();
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(source, StringComparison.Ordinal))
        {
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{d}: {e.GetType().Name} instead of success or InvalidDataException naming the source: {e.Message}");
        }
        // Deflate can legitimately expand ~1000×; anything beyond that came from believing a header.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > (4L << 20) + 1100L * d.Bytes.Length)
            throw new Xunit.Sdk.XunitException($"{d}: allocated {allocated} bytes for a {d.Bytes.Length}-byte file");
        return true;
    }

    [Property(MaxTest = 1000)]
    public Property Truncated_files_are_read_or_refused_with_InvalidData() => Prop.ForAll(Truncations.ToArbitrary(), ReadsOrRefuses);

    [Property(MaxTest = 1500)]
    public Property Bit_flipped_files_are_read_or_refused_with_InvalidData() => Prop.ForAll(BitFlips.ToArbitrary(), ReadsOrRefuses);

    [Property(MaxTest = 1000)]
    public Property Overwritten_byte_runs_are_read_or_refused_with_InvalidData() => Prop.ForAll(Overwrites.ToArbitrary(), ReadsOrRefuses);

    [Property(MaxTest = 1500)]
    public Property Npy_headers_with_mutated_text_are_read_or_refused_with_InvalidData() => Prop.ForAll(HeaderEdits.ToArbitrary(), ReadsOrRefuses);
}
