using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Mlp.Serialization;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one, never a partial write, and so
/// that a crash or kill leaves nothing behind for long: the data goes to <c>.NAME.PID.GUID.tmp</c> beside the
/// target, is flushed to disk, renamed over the target, and the folder is flushed so the rename itself survives a
/// power loss. A process killed mid-write cannot delete its temporary file; the next write to the same folder
/// removes every such <c>.NAME.PID.*.tmp</c> whose process is no longer running.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">The file cannot be written; no partial file is left.</exception>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the (temporary) stream it is given.</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">The file cannot be written; no partial file is left.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        string name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: the folder {dir} does not exist.");
        if (Directory.Exists(full)) throw new IOException($"{path}: is a directory; give a file name.");
        RemoveStaleTemporaries(dir, name);
        string tmp = Path.Combine(dir, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            FlushDirectory(dir);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>The temporary files a killed writer of <paramref name="name"/> left in <paramref name="dir"/> (their process is gone).</summary>
    internal static IEnumerable<string> StaleTemporaries(string dir, string name)
    {
        foreach (string f in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            // .NAME.PID.GUID.tmp — the name itself may contain dots, so read PID and GUID from the end.
            string[] parts = Path.GetFileName(f)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || parts[1].Length != 32 || parts[2] != "tmp") continue;
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            yield return f;
        }
    }

    private static void RemoveStaleTemporaries(string dir, string name)
    {
        foreach (string f in StaleTemporaries(dir, name).ToArray())
        {
            try { File.Delete(f); }
            catch (IOException) { }                      // another writer got there first
            catch (UnauthorizedAccessException) { }      // not ours to remove
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }      // no such process
        catch (InvalidOperationException) { return false; }
    }

    // fsync the folder so the rename is on disk (POSIX); Windows has no directory handles to flush and NTFS
    // journals the rename.
    private static void FlushDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { fsync(fd); }
        finally { close(fd); }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
