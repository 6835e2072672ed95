namespace Mlp.Cli;

/// <summary>Checks, before any work, that a file the command will write can be written.</summary>
internal static class OutputPath
{
    private static readonly string[] SystemFolders = ["/dev/", "/proc/", "/sys/"];

    /// <summary>
    /// Why <paramref name="path"/> cannot be written, or null when it can: it names a directory, its folder does not
    /// exist or is not a folder, it is not a regular file, or no new file can be created in its folder (files are written
    /// to a temporary file beside the target and renamed over it). Nothing is left behind: the probe file is deleted on close.
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
            // Files are written to a temporary file in the same folder, then renamed over the target: the folder must take a new file.
            // .NET cannot tell a device from a file, and renaming over /dev/null (as root) would replace it: refuse the
            // kernel's folders outright, and anything else that cannot seek (pipes, terminals).
            if (SystemFolders.Any(f => full.StartsWith(f, StringComparison.Ordinal)))
                return "is in a system folder (devices and kernel files); give a regular file name.";
            if (File.Exists(full))
            {
                using var existing = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (!existing.CanSeek) return "is not a regular file (a device or a pipe); give a file name.";
            }
            string probe = Path.Combine(folder, $".mlp-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot be written: {e.Message}";
        }
    }
}
