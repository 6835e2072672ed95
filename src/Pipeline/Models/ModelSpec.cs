namespace Mlp.Models;

/// <summary>Splits a model spec into layer calls: <c>Linear(784, 256) GELU() …</c>, arrows or commas between, or PyTorch's printed <c>Sequential(…)</c>.</summary>
internal static class ModelSpec
{
    public const string Example = "Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)";

    public static IReadOnlyList<string> Split(string spec)
    {
        string s = spec.Trim();
        if (s.StartsWith("Sequential(", StringComparison.Ordinal) && s.EndsWith(')'))
            s = s["Sequential(".Length..^1];
        var parts = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] is ',' or '→' || (s[i] == '-' && i + 1 < s.Length && s[i + 1] == '>')))
                i += s[i] == '-' ? 2 : 1;
            if (i >= s.Length) break;
            if (s[i] == '(')                                              // PyTorch's "(0): " index prefix
            {
                int close = s.IndexOf(')', i);
                int colon = close < 0 ? -1 : close + 1;
                while (colon >= 0 && colon < s.Length && s[colon] == ' ') colon++;
                if (close > i + 1 && s.AsSpan(i + 1, close - i - 1).ToString().All(char.IsAsciiDigit) && colon < s.Length && s[colon] == ':')
                {
                    i = colon + 1;
                    continue;
                }
            }
            int start = i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
            if (i == start || i >= s.Length || s[i] != '(')
                throw Bad(spec, $"expected a layer such as GELU() at '{Excerpt(s, start)}'");
            char quote = '\0';
            int j = i + 1;
            for (; j < s.Length; j++)
            {
                char c = s[j];
                if (quote != '\0') { if (c == quote) quote = '\0'; }
                else if (c is '\'' or '"') quote = c;
                else if (c == '(') throw Bad(spec, $"a layer's arguments hold no parentheses, at '{Excerpt(s, start)}'");
                else if (c == ')') break;
            }
            if (j >= s.Length) throw Bad(spec, $"'{Excerpt(s, start)}' has no closing parenthesis");
            parts.Add(s[start..(j + 1)]);
            i = j + 1;
        }
        if (parts.Count == 0) throw Bad(spec, "it names no layers");
        return parts;
    }

    private static string Excerpt(string s, int at) => s.Length - at > 40 ? s.Substring(at, 40) + "…" : s[at..];

    private static FormatException Bad(string spec, string why) =>
        new($"Model spec '{(spec.Length > 200 ? spec[..200] + "…" : spec)}': {why}. Write layers as PyTorch does, e.g. \"{Example}\".");
}
