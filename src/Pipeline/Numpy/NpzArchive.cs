using System.Collections;

namespace Mlp.Numpy;

/// <summary>
/// The arrays of one <c>.npz</c> file, by name, in the order they are stored (numpy: the <c>NpzFile</c> that
/// <c>np.load("f.npz")</c> returns). Immutable; the arrays are read when the archive is opened: all of them, or only those
/// named to <see cref="NpzReader.Read(string, IReadOnlyCollection{string})"/>. Asking such a filtered archive about a name
/// it was not opened for throws rather than answering "absent", since the file may well hold it.
/// </summary>
public sealed class NpzArchive : IReadOnlyDictionary<string, NpyArray>
{
    private readonly Dictionary<string, NpyArray> arrays;
    private readonly string[] names;
    private readonly HashSet<string>? requested;

    internal NpzArchive(string source, List<KeyValuePair<string, NpyArray>> entries, IReadOnlyCollection<string>? requested = null)
    {
        Source = source;
        this.requested = requested is null ? null : new HashSet<string>(requested, StringComparer.Ordinal);
        arrays = new Dictionary<string, NpyArray>(entries, StringComparer.Ordinal);
        names = entries.Select(e => e.Key).ToArray();
    }

    /// <summary>The file name or description given when reading, used in messages.</summary>
    public string Source { get; }

    /// <summary>The array names in storage order (numpy: <c>npz.files</c>), without the <c>.npy</c> suffix.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The array called <paramref name="name"/> (numpy: <c>npz[name]</c>).</summary>
    /// <exception cref="InvalidDataException">There is no such array; the message names the file and lists the arrays it has.</exception>
    /// <exception cref="InvalidOperationException">The archive was opened for other names only.</exception>
    public NpyArray this[string name] =>
        arrays.TryGetValue(Requested(name), out var a) ? a
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
    /// <exception cref="InvalidOperationException">The archive was opened for other names only, so it cannot tell.</exception>
    public bool ContainsKey(string key) => arrays.ContainsKey(Requested(key));

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The archive was opened for other names only, so it cannot tell.</exception>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out NpyArray value) => arrays.TryGetValue(Requested(key), out value);

    // A filtered archive cannot say whether the file holds an array it skipped: answering "absent" would silently
    // take a default for something the file states (as the walkthrough once did with relu_shift).
    private string Requested(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (requested is not null && !requested.Contains(name))
            throw new InvalidOperationException(
                $"{Source}: array '{NpyHeader.Printable(name)}' was not among the names it was read for ({string.Join(", ", requested)}); read it with that name, or all arrays.");
        return name;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, NpyArray>> GetEnumerator() =>
        names.Select(n => new KeyValuePair<string, NpyArray>(n, arrays[n])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
