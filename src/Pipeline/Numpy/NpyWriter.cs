namespace Mlp.Numpy;

/// <summary>
/// Writes numpy <c>.npy</c> files (format 1.0, or 2.0 for very long headers), C order, little-endian
/// (numpy: <c>np.save</c>). numpy reads them with <c>np.load(path)</c>.
/// </summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="array"/> to a new file at <paramref name="path"/> (replacing any file there).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        using var stream = File.Create(path);
        Write(stream, array);
    }

    /// <summary>Writes the .npy bytes of <paramref name="array"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(NpyHeader.Format(array.DType, array.Shape));
        stream.Write(array.Bytes.Span);
    }

    /// <summary>Writes a float32 tensor to <paramref name="path"/> (PyTorch: <c>np.save(path, t.numpy())</c>).</summary>
    public static void WriteTensor(string path, Tensor tensor) => Write(path, NpyArray.FromTensor(tensor));

    /// <summary>The .npy bytes of <paramref name="array"/>.</summary>
    public static byte[] ToBytes(NpyArray array)
    {
        using var ms = new MemoryStream();
        Write(ms, array);
        return ms.ToArray();
    }
}
