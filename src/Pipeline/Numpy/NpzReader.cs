using System.IO.Compression;

namespace Mlp.Numpy;

/// <summary>
/// Reads numpy <c>.npz</c> files: zip archives of <c>.npy</c> files, stored or deflated, as written by
/// <c>np.savez</c> and <c>np.savez_compressed</c> (numpy: <c>np.load("f.npz")</c>).
/// </summary>
/// <remarks>
/// <para>Each <c>NAME.npy</c> entry becomes the array <c>NAME</c>; other entries are ignored, as numpy ignores them
/// until asked; <see cref="Read(string, IReadOnlyCollection{string})"/> reads only the arrays asked for and never
/// decompresses the others. Entries are checked against the archive's CRC-32, then parsed by <see cref="NpyReader"/>,
/// so damaged data is refused rather than read as wrong numbers.</para>
/// <para>Resource contract: an entry is decompressed only up to what its own .npy header says it holds (header +
/// shape × itemsize) and at most <see cref="Mlp.Data.DataLimits.MaxExpandedBytes"/> of its compressed size; the
/// size the archive records must agree. Peak memory is the arrays returned plus one entry's bytes; a decompression
/// bomb (an entry that expands far beyond its compressed size or its header) is refused before it is expanded.</para>
/// </remarks>
public static class NpzReader
{
    /// <summary>Reads every array of the <c>.npz</c> file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid npz or an array in it is invalid or unsupported; the message names the file (and entry) and the problem.</exception>
    public static NpzArchive Read(string path) => Read(path, null);

    /// <summary>Reads the arrays named <paramref name="names"/> (all when null) of the <c>.npz</c> file at <paramref name="path"/>; other entries are not decompressed.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid npz, an array asked for is missing, invalid or unsupported; the message names the file (and entry) and the problem.</exception>
    public static NpzArchive Read(string path, IReadOnlyCollection<string>? names)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npz file.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path, names);
    }

    /// <summary>Reads every array of an npz archive from a seekable <paramref name="stream"/>.</summary>
    /// <param name="stream">The zip bytes; must support seeking (a zip's directory is at its end).</param>
    /// <param name="sourceName">A name for messages, e.g. a file name.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid npz or an array in it is invalid or unsupported.</exception>
    public static NpzArchive Read(Stream stream, string sourceName) => Read(stream, sourceName, null);

    /// <summary>Reads the arrays named <paramref name="names"/> (all when null) from a seekable <paramref name="stream"/>; other entries are not decompressed.</summary>
    /// <param name="stream">The zip bytes; must support seeking (a zip's directory is at its end).</param>
    /// <param name="sourceName">A name for messages, e.g. a file name.</param>
    /// <param name="names">The arrays to read, without <c>.npy</c>; null for all.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid npz, or an array asked for is missing, invalid or unsupported.</exception>
    public static NpzArchive Read(Stream stream, string sourceName, IReadOnlyCollection<string>? names)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanSeek) throw new ArgumentException($"{sourceName}: an npz stream must be seekable; copy it into a MemoryStream first.", nameof(stream));
        var entries = new List<KeyValuePair<string, NpyArray>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string where = sourceName;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                string name = entry.FullName[..^4];
                where = $"{sourceName} (array '{NpyHeader.Printable(name)}')";
                if (!seen.Add(name)) throw NpyHeader.Bad(where, "the archive holds two arrays of this name");
                if (names != null && !names.Contains(name)) continue;
                byte[] bytes = ReadEntry(entry, where);
                uint crc = Crc32.Compute(bytes);
                if (crc != entry.Crc32)
                    throw NpyHeader.Bad(where, $"the data is damaged: its CRC-32 is {crc:x8} but the archive records {entry.Crc32:x8}");
                entries.Add(new(name, NpyReader.FromBytes(bytes, where)));
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(sourceName, StringComparison.Ordinal))
        {
            throw Wrap(where, e);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ArgumentException or FormatException or OverflowException)
        {
            // System.IO.Compression's other complaints about a damaged archive (bad offsets, unknown methods …).
            throw Wrap(where, e);
        }
        if (names != null)
            foreach (string wanted in names)
                if (!seen.Contains(wanted))
                    throw new InvalidDataException($"{sourceName}: no array '{wanted}'; the file has {(seen.Count == 0 ? "no arrays" : string.Join(", ", seen))}.");
        return new NpzArchive(sourceName, entries, names);
    }

    // Reads one entry: first the .npy preamble and header, then exactly the data they declare. Nothing beyond what
    // the header declares, or beyond the expansion ceiling of the entry's compressed size, is ever decompressed.
    private static byte[] ReadEntry(ZipArchiveEntry entry, string where)
    {
        long ceiling = Mlp.Data.DataLimits.MaxExpandedBytes(entry.CompressedLength);
        if (entry.Length > ceiling)
            throw NpyHeader.Bad(where, $"decompression bomb: the entry's {entry.CompressedLength} compressed bytes claim to expand to {entry.Length} " +
                                       $"({Mlp.Data.DataLimits.ExpansionHelp})");
        using var s = entry.Open();
        var head = new byte[12 + NpyHeader.MaxHeaderLength];
        int got = Fill(s, head.AsSpan(0, 12));
        long headerLength = got < 10 ? 0 : head[6] == 1 ? head[8] | (head[9] << 8) : got < 12 ? 0 : (uint)(head[8] | (head[9] << 8) | (head[10] << 16) | (head[11] << 24));
        int prefix = got >= 7 && head[6] == 1 ? 10 : 12;
        if (got < 12 || headerLength > NpyHeader.MaxHeaderLength)
        {
            // Too short or absurd: let the .npy parser say exactly what is wrong with these bytes.
            NpyHeader.Parse(head.AsSpan(0, got), where);
            throw NpyHeader.Bad(where, "malformed .npy preamble");
        }
        got += Fill(s, head.AsSpan(12, (int)Math.Max(0, prefix + headerLength - 12)));
        var info = NpyHeader.ParseHeaderOnly(head.AsSpan(0, got), where);
        long total = info.DataOffset + info.ByteCount;
        if (total > ceiling)
            throw NpyHeader.Bad(where, $"decompression bomb: the header declares {info.ByteCount} data bytes but the entry has only {entry.CompressedLength} " +
                                       $"compressed bytes ({Mlp.Data.DataLimits.ExpansionHelp})");
        if (total != entry.Length)
            throw NpyHeader.Bad(where, $"the header declares {total} bytes but the archive records {entry.Length} for the entry");
        var bytes = new byte[total];
        head.AsSpan(0, got).CopyTo(bytes);
        int filled = got + Fill(s, bytes.AsSpan(got));
        if (filled < total)
            throw NpyHeader.Bad(where, $"truncated: the entry ends after {filled} of the {total} bytes its header declares");
        Span<byte> one = stackalloc byte[1];
        if (s.Read(one) != 0) throw NpyHeader.Bad(where, $"more data follows the {total} bytes the header declares");
        return bytes;
    }

    private static int Fill(Stream s, Span<byte> buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = s.Read(buffer[filled..]);
            if (n == 0) break;
            filled += n;
        }
        return filled;
    }

    private static InvalidDataException Wrap(string where, Exception e) =>
        new($"{where}: not a valid npz (zip) archive: {e.Message}", e);
}
