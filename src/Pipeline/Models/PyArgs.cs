using System.Globalization;

namespace Mlp.Models;

/// <summary>
/// Binds the arguments of a layer written as a Python call (<c>BatchNorm1d(256, eps=1e-05, affine=True)</c>) to the
/// parameter names of PyTorch's constructor, and reads Python literals: ints, floats, <c>True</c>/<c>False</c>,
/// <c>None</c>, quoted strings. Failures are <see cref="ArgumentException"/>s naming the layer and the argument.
/// </summary>
internal static class PyArgs
{
    /// <summary>Positional then keyword arguments, as Python binds them; <paramref name="required"/> leading names must be given.</summary>
    public static Dictionary<string, string> Bind(string layer, IReadOnlyList<string> args, string[] names, int required)
    {
        var bound = new Dictionary<string, string>(StringComparer.Ordinal);
        string Signature() => $"{layer}({string.Join(", ", names)})";
        bool keywords = false;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            string name, value;
            if (eq > 0 && IsIdentifier(a[..eq].Trim()))
            {
                keywords = true;
                name = a[..eq].Trim();
                value = a[(eq + 1)..].Trim();
                if (Array.IndexOf(names, name) < 0)
                    throw new ArgumentException($"{layer} has no argument '{name}'; it takes {Signature()}.");
            }
            else
            {
                if (keywords) throw new ArgumentException($"{layer}: positional argument '{a}' follows a keyword argument.");
                if (i >= names.Length) throw new ArgumentException($"{layer} takes at most {names.Length} arguments ({Signature()}); got {args.Count}.");
                name = names[i];
                value = a;
            }
            if (value.Length == 0) throw new ArgumentException($"{layer}: argument '{name}' has no value.");
            if (!bound.TryAdd(name, value)) throw new ArgumentException($"{layer}: argument '{name}' is given twice.");
        }
        for (int i = 0; i < required; i++)
            if (!bound.ContainsKey(names[i])) throw new ArgumentException($"{layer} needs '{names[i]}': {Signature()}.");
        if (bound.TryGetValue("inplace", out var inplace)) Bool("inplace", inplace);   // accepted, meaningless for immutable tensors
        if (bound.TryGetValue("device", out var device) && device != "None") throw new ArgumentException($"{layer}: device={device} is not supported (Mlp runs on the CPU).");
        if (bound.TryGetValue("dtype", out var dtype) && dtype != "None") throw new ArgumentException($"{layer}: dtype={dtype} is not supported (Mlp computes in float32).");
        return bound;
    }

    /// <summary>Refuses a boolean argument set to anything but <paramref name="expected"/>.</summary>
    public static void Require(string layer, Dictionary<string, string> bound, string name, bool expected, string why)
    {
        if (bound.TryGetValue(name, out var v) && Bool(name, v) != expected)
            throw new ArgumentException($"{layer}: {name}={v} is not supported ({why}).");
    }

    public static int PositiveInt(string name, string s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
        : throw new ArgumentException($"'{name}' must be a positive integer; got '{s}'.");

    public static double Float(string name, string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
        : throw new ArgumentException($"'{name}' must be a finite number; got '{s}'.");

    public static double? FloatOrNone(string name, string s) => s == "None" ? null : Float(name, s);

    public static bool Bool(string name, string s) => s switch
    {
        "True" => true,
        "False" => false,
        _ => throw new ArgumentException($"'{name}' must be True or False; got '{s}'."),
    };

    public static string String(string name, string s) =>
        s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0] ? s[1..^1]
        : throw new ArgumentException($"'{name}' must be a quoted string such as 'tanh'; got {s}.");

    /// <summary>Softmax's dim: 1 or −1 (the features of (n, features) input); PyTorch's implicit <c>dim=None</c> is refused.</summary>
    public static int Dim(string layer, Dictionary<string, string> bound) =>
        bound.TryGetValue("dim", out var d) && d != "None" && int.TryParse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"{layer} needs dim=1 (the feature dimension); got {(d is null ? "no dim" : $"dim={d}")}.");

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
