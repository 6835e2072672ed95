namespace Mlp.Cli;

/// <summary>Checks, before any work, that a file the command will write can be written.</summary>
internal static class OutputPath
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be written, or null when it can: it names a directory, its folder does not
    /// exist or is not a folder, or the file (or a new file in the folder) cannot be opened for writing. Nothing is
    /// created or changed: an existing file is opened without truncating; a probe file is deleted on close.
    /// </summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return "is empty; give a file name.";
        try
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
                return "is a directory; give a file name.";
            string folder = Path.GetDirectoryName(full) ?? "/";
            if (File.Exists(folder)) return $"{folder} is a file, not a folder.";
            if (!Directory.Exists(folder)) return $"the folder {folder} does not exist.";
            if (File.Exists(full))
            {
                using var existing = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            }
            else
            {
                string probe = Path.Combine(folder, $".mlp-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
                using var created = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot be written: {e.Message}";
        }
    }
}
