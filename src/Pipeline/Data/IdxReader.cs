using System.Buffers.Binary;

namespace Mlp.Data;

/// <summary>
/// Reads the IDX files MNIST and Fashion-MNIST ship in: <c>idx3-ubyte</c> images (magic 2051) and <c>idx1-ubyte</c>
/// labels (magic 2049), gzipped or raw (gzip is detected by its magic bytes <c>1f 8b</c>, not by the name).
/// The header is big-endian: magic, then one 32-bit size per dimension. PyTorch: <c>torchvision.datasets.MNIST</c>'s
/// <c>read_image_file</c> / <c>read_label_file</c>, with pixels scaled as <c>ToTensor()</c> does.
/// </summary>
/// <remarks>
/// Sizes in the header are checked before anything is allocated: their product must fit in one array and in
/// what the file can hold, and data after the declared images or labels is an error (the header lies).
/// Resource contract: the bytes are read only as they arrive and only up to what the header declares; gzip data may
/// expand to at most <see cref="DataLimits.MaxExpandedBytes"/> of its compressed size (a bomb is refused); peak memory
/// is the pixel bytes plus the float32 tensor returned (1.25× the result).
/// </remarks>
public static class IdxReader
{
    /// <summary>The magic number of an idx3 unsigned-byte file (images): <c>0x00000803</c>.</summary>
    public const int ImagesMagic = 0x0803;

    /// <summary>The magic number of an idx1 unsigned-byte file (labels): <c>0x00000801</c>.</summary>
    public const int LabelsMagic = 0x0801;

    // i / 255f for every byte: exact float32 division, as numpy's x.astype(float32) / 255 and torchvision's div(255).
    private static readonly float[] PixelScale = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    /// <summary>Reads an images file into an (n, rows·cols) float32 tensor of pixels / 255, each in [0, 1].</summary>
    /// <param name="path">An <c>*-images-idx3-ubyte[.gz]</c> file.</param>
    /// <returns>(n, rows·cols), row-major pixels of each image in a row.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (bad magic, truncated, absurd or disagreeing sizes, corrupt gzip); the message names it.</exception>
    public static Tensor ReadImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>Reads images from <paramref name="stream"/> (from its current position; left open), as <see cref="ReadImages(string)"/>.</summary>
    /// <param name="stream">The file's bytes, gzipped or raw.</param>
    /// <param name="name">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">The data is malformed; the message starts with <paramref name="name"/>.</exception>
    public static Tensor ReadImages(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        return DataFileError.Guard(name, () =>
        {
            using var data = DataStream.Open(stream, name);
            byte[] header = data.ReadExactly(16, "the idx3 images header (magic, count, rows, cols)");
            CheckMagic(data, header, ImagesMagic, "an idx3 unsigned-byte images file");
            int n = Dimension(data, header, 4, "image count");
            int rows = Dimension(data, header, 8, "rows");
            int cols = Dimension(data, header, 12, "cols");
            if (rows == 0 || cols == 0)
                throw DataFileError.Invalid(name, $"the header says images are {rows}×{cols} pixels; an image needs at least one pixel.");
            if ((long)rows * cols > Array.MaxLength)
                throw DataFileError.Invalid(name, $"the header says images are {rows}×{cols} = {(long)rows * cols} pixels, more than one array can hold; the header is corrupt.");
            Int128 total = (Int128)n * rows * cols;
            if (total > Array.MaxLength)
                throw DataFileError.Invalid(name, $"the header says {n} images of {rows}×{cols} = {total} pixels, more than one array can hold " +
                                                  $"({Array.MaxLength}); the header is corrupt.");
            string what = $"{n} images of {rows}×{cols} pixels";
            data.Require((long)total, what);
            byte[] pixels = data.ReadExactly((long)total, what);
            RequireEnd(data, what);
            var x = new float[pixels.Length];
            for (int i = 0; i < pixels.Length; i++) x[i] = PixelScale[pixels[i]];
            return new Tensor(x, [n, rows * cols]);
        });
    }

    /// <summary>Reads a labels file into one class label (0–255) per example.</summary>
    /// <param name="path">An <c>*-labels-idx1-ubyte[.gz]</c> file.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names it.</exception>
    public static int[] ReadLabels(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return ReadLabels(file, path);
    }

    /// <summary>Reads labels from <paramref name="stream"/> (from its current position; left open), as <see cref="ReadLabels(string)"/>.</summary>
    /// <param name="stream">The file's bytes, gzipped or raw.</param>
    /// <param name="name">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">The data is malformed; the message starts with <paramref name="name"/>.</exception>
    public static int[] ReadLabels(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        return DataFileError.Guard(name, () =>
        {
            using var data = DataStream.Open(stream, name);
            byte[] header = data.ReadExactly(8, "the idx1 labels header (magic, count)");
            CheckMagic(data, header, LabelsMagic, "an idx1 unsigned-byte labels file");
            int n = Dimension(data, header, 4, "label count");
            string what = $"{n} labels";
            data.Require(n, what);
            byte[] bytes = data.ReadExactly(n, what);
            RequireEnd(data, what);
            var labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = bytes[i];
            return labels;
        });
    }

    private static void CheckMagic(DataStream data, byte[] header, int expected, string kind)
    {
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic == expected) return;
        string hint = magic switch
        {
            ImagesMagic => " It is an idx3 images file; labels were expected.",
            LabelsMagic => " It is an idx1 labels file; images were expected.",
            _ when (magic >>> 16) == 0 && ((magic >> 8) & 0xFF) != 0x08 =>
                $" Element type 0x{(magic >> 8) & 0xFF:X2} is not supported; only unsigned bytes (0x08).",
            _ when (magic >>> 16) == 0 => $" It has {magic & 0xFF} dimensions; {expected & 0xFF} were expected.",
            _ when header[0] == 0x80 => " It looks like a Python pickle, not an IDX file.",
            _ => "",
        };
        throw DataFileError.Invalid(data.Name, $"bad magic number 0x{magic:X8} ({magic}); {kind} starts with 0x{expected:X8} ({expected}).{hint}");
    }

    private static int Dimension(DataStream data, byte[] header, int offset, string what)
    {
        uint d = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset));
        if (d > int.MaxValue)
            throw DataFileError.Invalid(data.Name, $"the header's {what} is {d}, larger than any file this reader accepts ({int.MaxValue}); the header is corrupt.");
        return (int)d;
    }

    private static void RequireEnd(DataStream data, string what)
    {
        if (!data.AtEnd())
            throw DataFileError.Invalid(data.Name, $"more data follows the {what} the header declares; the header and the file's length disagree.");
    }
}
