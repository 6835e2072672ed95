namespace Mlp.Numpy;

/// <summary>
/// Reads numpy <c>.npy</c> files, format 1.0–3.0, in C order, with dtypes <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>,
/// <c>&lt;i4</c> and <c>|u1</c> (numpy: <c>np.load</c>; PyTorch: <c>torch.from_numpy(np.load(path))</c>).
/// </summary>
/// <remarks>
/// Fortran order, big-endian and object (pickled) dtypes are refused with a message saying how to re-save the
/// array. Sizes in the header are checked against the bytes actually present before anything is allocated from
/// them, so a corrupt header cannot cause a huge allocation.
/// </remarks>
public static class NpyReader
{
    /// <summary>Reads the array in the <c>.npy</c> file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npy of a supported dtype; the message names the file and the problem.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npy file.", path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads one array from <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The .npy bytes, from the magic to the end of the data.</param>
    /// <param name="sourceName">A name for messages, e.g. a file name.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid .npy of a supported dtype; the message names <paramref name="sourceName"/> and the problem.</exception>
    public static NpyArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return FromBytes(ReadToEnd(stream, sourceName), sourceName);
    }

    /// <summary>Parses a whole .npy held in memory.</summary>
    /// <param name="bytes">The .npy bytes, from the magic to the end of the data.</param>
    /// <param name="sourceName">A name for messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid .npy of a supported dtype.</exception>
    public static NpyArray FromBytes(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        var info = NpyHeader.Parse(bytes, sourceName);
        return new NpyArray(info.DType, info.Shape, bytes.AsSpan(info.DataOffset, (int)info.ByteCount).ToArray());
    }

    /// <summary>Reads a stream to its end into memory that grows only as bytes actually arrive.</summary>
    internal static byte[] ReadToEnd(Stream stream, string sourceName)
    {
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException) when (buffer.Length > Array.MaxLength - (1 << 20))
        {
            // MemoryStream stops at 2 GB: no array Mlp can return would fit.
            throw NpyHeader.Bad(sourceName, "more than 2 GB of data, more than one array can hold");
        }
        return buffer.ToArray();
    }
}
