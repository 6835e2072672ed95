using System.IO.Compression;

namespace Mlp.Numpy;

/// <summary>
/// Writes numpy <c>.npz</c> files: a zip with one <c>NAME.npy</c> entry per array (numpy: <c>np.savez</c>, or
/// <c>np.savez_compressed</c> for <see cref="WriteCompressed"/>). numpy reads them with <c>np.load(path)[NAME]</c>.
/// </summary>
public static class NpzWriter
{
    // Zip timestamps are fixed so the same arrays always give the same bytes.
    private static readonly DateTimeOffset Epoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="arrays"/> uncompressed (stored) to a new file at <paramref name="path"/> (numpy: <c>np.savez</c>).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="arrays">Names (without <c>.npy</c>) and arrays, written in this order.</param>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays) => WriteFile(path, arrays, CompressionLevel.NoCompression);

    /// <summary>Writes <paramref name="arrays"/> deflated to a new file at <paramref name="path"/> (numpy: <c>np.savez_compressed</c>).</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void WriteCompressed(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays) => WriteFile(path, arrays, CompressionLevel.Optimal);

    /// <summary>Writes float32 tensors, stored, to <paramref name="path"/> (PyTorch: <c>np.savez(path, **{k: t.numpy()})</c>).</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void WriteTensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(kv => new KeyValuePair<string, NpyArray>(kv.Key, NpyArray.FromTensor(kv.Value))));
    }

    /// <summary>Writes an npz archive to <paramref name="stream"/>, deflated when <paramref name="compressed"/>.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public static void WriteTo(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compressed)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteZip(stream, arrays, compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
    }

    private static void WriteFile(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, CompressionLevel level)
    {
        ArgumentNullException.ThrowIfNull(path);
        var list = Check(arrays);
        Mlp.Serialization.AtomicFile.Write(path, file => WriteZip(file, list, level));
    }

    private static void WriteZip(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, CompressionLevel level)
    {
        var list = Check(arrays);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in list)
        {
            var entry = zip.CreateEntry(name + ".npy", level);
            entry.LastWriteTime = Epoch;
            using var s = entry.Open();
            NpyWriter.Write(s, array);
        }
    }

    private static List<KeyValuePair<string, NpyArray>> Check(IEnumerable<KeyValuePair<string, NpyArray>> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("An npz array name must not be empty.", nameof(arrays));
            if (!seen.Add(name)) throw new ArgumentException($"The npz array name '{name}' appears twice.", nameof(arrays));
            ArgumentNullException.ThrowIfNull(array, name);
        }
        return list;
    }
}
