using System.Collections;

namespace Mlp.Numpy;

/// <summary>
/// The arrays of one <c>.npz</c> file, by name, in the order they are stored (numpy: the <c>NpzFile</c> that
/// <c>np.load("f.npz")</c> returns). Immutable; all arrays are read when the archive is opened.
/// </summary>
public sealed class NpzArchive : IReadOnlyDictionary<string, NpyArray>
{
    private readonly Dictionary<string, NpyArray> arrays;
    private readonly string[] names;

    internal NpzArchive(string source, List<KeyValuePair<string, NpyArray>> entries)
    {
        Source = source;
        arrays = new Dictionary<string, NpyArray>(entries, StringComparer.Ordinal);
        names = entries.Select(e => e.Key).ToArray();
    }

    /// <summary>The file name or description given when reading, used in messages.</summary>
    public string Source { get; }

    /// <summary>The array names in storage order (numpy: <c>npz.files</c>), without the <c>.npy</c> suffix.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The array called <paramref name="name"/> (numpy: <c>npz[name]</c>).</summary>
    /// <exception cref="InvalidDataException">There is no such array; the message names the file and lists the arrays it has.</exception>
    public NpyArray this[string name] =>
        arrays.TryGetValue(name, out var a) ? a
        : throw new InvalidDataException($"{Source}: no array '{name}'; the file has {(names.Length == 0 ? "no arrays" : string.Join(", ", names))}.");

    /// <summary>
    /// The array called <paramref name="name"/> as a float32 tensor, checked to have shape <paramref name="expectedShape"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The array is missing or has another shape; the message names the file, the array and both shapes.</exception>
    public Tensor GetTensor(string name, int[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        NpyArray a = this[name];
        if (!a.Shape.SequenceEqual(expectedShape))
            throw new InvalidDataException(
                $"{Source}: array '{name}' has shape {Tensor.ShapeString(a.Shape)} but {Tensor.ShapeString(expectedShape)} was expected.");
        return a.ToTensor();
    }

    /// <inheritdoc/>
    public IEnumerable<string> Keys => names;

    /// <inheritdoc/>
    public IEnumerable<NpyArray> Values => names.Select(n => arrays[n]);

    /// <inheritdoc/>
    public int Count => names.Length;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => arrays.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out NpyArray value) => arrays.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, NpyArray>> GetEnumerator() =>
        names.Select(n => new KeyValuePair<string, NpyArray>(n, arrays[n])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
