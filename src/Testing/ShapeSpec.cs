namespace Mlp.Testing;

/// <summary>A parsed shape such as <c>"n,i"</c>: per dimension either a letter (a size drawn per case) or a fixed size.</summary>
internal sealed class ShapeSpec
{
    private ShapeSpec(string text, object[] dims)
    {
        Text = text;
        Parts = dims;
    }

    internal string Text { get; }

    /// <summary>Each element is a <see cref="char"/> letter or an <see cref="int"/> size.</summary>
    internal object[] Parts { get; }

    internal IEnumerable<char> Letters => Parts.OfType<char>();

    internal static ShapeSpec Parse(string text, string owner)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0) return new(text, []);
        var parts = new List<object>();
        foreach (string raw in text.Split(','))
        {
            string p = raw.Trim();
            if (p.Length == 1 && char.IsAsciiLetterLower(p[0])) parts.Add(p[0]);
            else if (int.TryParse(p, out int size) && size > 0) parts.Add(size);
            else
                throw new ArgumentException(
                    $"{owner}: shape \"{text}\" has dimension \"{p}\"; each dimension must be one lower-case letter (a size drawn per case) or a positive integer, separated by commas, e.g. \"n,i\" or \"n,1\".");
        }
        return new(text, parts.ToArray());
    }

    internal int[] Resolve(IReadOnlyDictionary<char, int> sizes) =>
        Parts.Select(p => p is char c ? sizes[c] : (int)p).ToArray();

    internal bool StartsWith(char letter) => Parts.Length > 0 && Parts[0] is char c && c == letter;
}
