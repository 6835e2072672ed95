using System.IO.Compression;

namespace Mlp.TestShared;

/// <summary>Decompression bombs for the reader tests (tests/Unit) and the attack run (tests/Hostile), compiled into both.</summary>
internal static class GzipBombs
{
    /// <summary>A gzip stream of <paramref name="n"/> zero bytes after <paramref name="prefix"/>, written without holding them.</summary>
    public static byte[] Zeros(byte[] prefix, long n, byte[]? suffix = null)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal))
        {
            gz.Write(prefix);
            var zeros = new byte[1 << 20];
            for (long left = n; left > 0; left -= zeros.Length) gz.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            if (suffix != null) gz.Write(suffix);
        }
        return ms.ToArray();
    }
}
