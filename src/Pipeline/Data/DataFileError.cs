namespace Mlp.Data;

/// <summary>
/// The one way readers report a bad file: an <see cref="InvalidDataException"/> whose message starts with the
/// file's name. <see cref="Guard{T}"/> turns every other failure inside a reader into one of those.
/// </summary>
internal static class DataFileError
{
    // Marks exceptions that already name their file, so Guard passes them through instead of wrapping twice.
    private const string FileKey = "Mlp.Data.File";

    /// <summary>An <see cref="InvalidDataException"/> with the message "<paramref name="name"/>: <paramref name="problem"/>".</summary>
    public static InvalidDataException Invalid(string name, string problem, Exception? inner = null)
    {
        var e = new InvalidDataException($"{name}: {problem}", inner);
        e.Data[FileKey] = name;
        return e;
    }

    /// <summary>
    /// Runs a reader. Our own <see cref="InvalidDataException"/>s pass through; any other exception (from gzip,
    /// a cast on malformed data …) becomes an <see cref="InvalidDataException"/> naming the file.
    /// Out-of-memory is not wrapped: the readers bound every allocation, so it would mean a bug, not a bad file.
    /// </summary>
    public static T Guard<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not OutOfMemoryException && !(e is InvalidDataException && e.Data.Contains(FileKey)))
        {
            throw Invalid(name, $"malformed data ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
