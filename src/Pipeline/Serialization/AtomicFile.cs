namespace Mlp.Serialization;

/// <summary>Writes a file so that readers see either the old file or the complete new one, never a partial write.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: the folder {dir} does not exist.");
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
