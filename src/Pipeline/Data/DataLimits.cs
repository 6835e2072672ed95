using System.Globalization;

namespace Mlp.Data;

/// <summary>
/// The documented ceilings every reader applies to a file, so that a small hostile file cannot make Mlp allocate
/// gigabytes: how far compressed data may expand, and how many classes labels may name. Each has a default and can
/// be raised (or lowered) for one process with an environment variable, read when the limit is used.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="MaxGzipExpansion"/> (<c>MLP_MAX_GZIP_EXPANSION</c>, default 16): a gzip stream (an IDX
/// <c>.gz</c>, <c>mnist.pkl.gz</c>) or a deflated zip entry (npz, ML.NET model zip) may hold at most this many times
/// its compressed size, plus <see cref="MinExpansionAllowance"/> bytes. Real data compresses 1.5–14× (Fashion-MNIST
/// images 1.8×, MNIST 4.7×, the lesson's float32 pickle 13.5×); a bomb compresses about 1000×. A zip entry is also
/// bounded by the size its own header (npy) or the archive states: whichever is smaller.</item>
/// <item><see cref="MaxClasses"/> (<c>MLP_MAX_CLASSES</c>, default 4096): the class count is the largest label
/// plus one and sizes the output layer and the evaluation's confusion matrix (classes² counts), so a label at or
/// above this is refused as data, naming the file.</item>
/// </list>
/// </remarks>
public static class DataLimits
{
    /// <summary>The environment variable that overrides <see cref="MaxGzipExpansion"/>.</summary>
    public const string GzipExpansionVariable = "MLP_MAX_GZIP_EXPANSION";

    /// <summary>The environment variable that overrides <see cref="MaxClasses"/>.</summary>
    public const string MaxClassesVariable = "MLP_MAX_CLASSES";

    /// <summary>The default of <see cref="MaxGzipExpansion"/>.</summary>
    public const int DefaultMaxGzipExpansion = 16;

    /// <summary>The default of <see cref="MaxClasses"/>.</summary>
    public const int DefaultMaxClasses = 4096;

    /// <summary>Bytes any compressed stream may expand to whatever its ratio (small files of zeros are fine): 16 MiB.</summary>
    public const long MinExpansionAllowance = 16L << 20;

    /// <summary>How many times its compressed size a gzip stream or zip entry may decompress to (<c>MLP_MAX_GZIP_EXPANSION</c>, default 16).</summary>
    /// <exception cref="InvalidOperationException">The environment variable is set but is not an integer ≥ 1.</exception>
    public static int MaxGzipExpansion => Read(GzipExpansionVariable, DefaultMaxGzipExpansion);

    /// <summary>The most classes a dataset may have: labels must be below this (<c>MLP_MAX_CLASSES</c>, default 4096).</summary>
    /// <exception cref="InvalidOperationException">The environment variable is set but is not an integer ≥ 1.</exception>
    public static int MaxClasses => Read(MaxClassesVariable, DefaultMaxClasses);

    /// <summary>The most bytes <paramref name="compressedBytes"/> of compressed data may decompress to under <see cref="MaxGzipExpansion"/>.</summary>
    public static long MaxExpandedBytes(long compressedBytes) =>
        (long)Math.Min(Array.MaxLength, (double)compressedBytes * MaxGzipExpansion + MinExpansionAllowance);

    internal static string MaxClassesHelp =>
        $"at most {MaxClasses} classes; set {MaxClassesVariable} to allow more";

    internal static string ExpansionHelp =>
        $"at most {MaxGzipExpansion}× the compressed size plus {MinExpansionAllowance >> 20} MiB; set {GzipExpansionVariable} to allow more";

    private static int Read(string variable, int fallback)
    {
        string? s = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(s)) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v
            : throw new InvalidOperationException($"{variable}='{s}' is not an integer ≥ 1.");
    }
}
