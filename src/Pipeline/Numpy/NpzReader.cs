using System.IO.Compression;

namespace Mlp.Numpy;

/// <summary>
/// Reads numpy <c>.npz</c> files: zip archives of <c>.npy</c> files, stored or deflated, as written by
/// <c>np.savez</c> and <c>np.savez_compressed</c> (numpy: <c>np.load("f.npz")</c>).
/// </summary>
/// <remarks>
/// Each <c>NAME.npy</c> entry becomes the array <c>NAME</c>; other entries are ignored, as numpy ignores them until
/// asked. Entries are read through <see cref="System.IO.Compression"/> into memory that grows only as bytes
/// arrive, checked against the archive's CRC-32, then parsed by <see cref="NpyReader"/>, so a corrupt header cannot
/// cause a huge allocation and damaged data is refused rather than read as wrong numbers.
/// </remarks>
public static class NpzReader
{
    /// <summary>Reads every array of the <c>.npz</c> file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid npz or an array in it is invalid or unsupported; the message names the file (and entry) and the problem.</exception>
    public static NpzArchive Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npz file.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every array of an npz archive from a seekable <paramref name="stream"/>.</summary>
    /// <param name="stream">The zip bytes; must support seeking (a zip's directory is at its end).</param>
    /// <param name="sourceName">A name for messages, e.g. a file name.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid npz or an array in it is invalid or unsupported.</exception>
    public static NpzArchive Read(Stream stream, string sourceName)
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
                byte[] bytes;
                using (var s = entry.Open()) bytes = NpyReader.ReadToEnd(s, where);
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
        return new NpzArchive(sourceName, entries);
    }

    private static InvalidDataException Wrap(string where, Exception e) =>
        new($"{where}: not a valid npz (zip) archive: {e.Message}", e);
}
