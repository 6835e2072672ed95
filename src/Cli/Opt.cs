using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Mlp.Cli;

/// <summary>
/// The option kinds every command builds from, so that the same option reads, parses, validates and completes the same
/// way everywhere. Values are checked while parsing, so a bad value is refused before any work starts.
/// Short aliases, one meaning everywhere: <c>-d</c> data, <c>-s</c> seed, <c>-e</c> epochs, <c>-b</c> batch,
/// <c>-o</c> the file a command writes, <c>-p</c> a plot, <c>-m</c> a model, <c>-c</c> a checkpoint, <c>-r</c> resume,
/// <c>-n</c> a number of rows. An option given twice takes its last value, so <c>mlp train @base.rsp -e 20</c> overrides the file.
/// </summary>
internal static class Opt
{
    /// <summary>An integer option in [min, max] with a default shown in the help.</summary>
    public static Option<int> Int(string name, string? alias, string description, int fallback, int min = 0, int max = int.MaxValue) =>
        Make<int>(name, alias, description, () => fallback, s =>
            (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max, v),
            $"an integer in [{min}, {max}]");

    /// <summary>An optional integer option in [min, max] (no default: null when not given).</summary>
    public static Option<int?> OptionalInt(string name, string? alias, string description, int min = 0, int max = int.MaxValue) =>
        Make<int?>(name, alias, description, null, s =>
            (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max, v),
            $"an integer in [{min}, {max}]");

    /// <summary>A finite number option in [min, max]; <paramref name="fallback"/> null leaves it null when not given.</summary>
    public static Option<double?> Number(string name, string? alias, string description, double? fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        string range = $"{(minExclusive ? "(" : "[")}{Show(min)}, {Show(max)}]";
        return Make<double?>(name, alias, description, fallback is { } f ? () => f : null, s =>
            (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
             && (minExclusive ? v > min : v >= min) && v <= max, v),
            $"a number in {range}");
    }

    /// <summary>
    /// <c>--seed</c>/<c>-s</c>: a non-negative 63-bit integer. Larger values are refused, so every seed a run uses can be
    /// stored in, and resumed from, a checkpoint.
    /// </summary>
    public static Option<ulong> Seed(ulong fallback, string description = "seed for weights, shuffling and sampling") =>
        Make<ulong>("--seed", "-s", description, () => fallback, s =>
            (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) && v <= long.MaxValue, v),
            $"an integer in [0, {long.MaxValue}]");

    /// <summary>A flag such as <c>--json</c>.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary><c>--json</c>: the results as one JSON object on stdout.</summary>
    public static Option<bool> Json() => Flag("--json", "print the results as one JSON object on stdout (no progress display)");

    /// <summary>One of a fixed set of words, completed and checked by the parser.</summary>
    public static Option<string> Choice(string name, string? alias, string description, string fallback, params string[] choices)
    {
        var o = Make<string>(name, alias, description, () => fallback, s => (choices.Contains(s, StringComparer.Ordinal), s),
            $"one of {string.Join(", ", choices)}");
        o.HelpName = string.Join('|', choices);
        o.CompletionSources.Clear();
        o.CompletionSources.Add(choices);
        return o;
    }

    /// <summary><c>--data</c>/<c>-d</c>: an IDX directory or the lesson's pickle; checked to exist while parsing.</summary>
    public static Option<string?> Data()
    {
        var o = new Option<string?>("--data", "-d")
        {
            Arity = ArgumentArity.OneOrMore,
            CustomParser = Last,
            Description = "an IDX directory (train-*/t10k-* files, .gz or raw) or the lesson's mnist.pkl.gz. Default: " +
                          DataSource.DebianFashionMnist + " if installed, else the embedded Fashion-MNIST test split (10000 images, split 80/20)",
            HelpName = "DIR|FILE",
        };
        o.Validators.Add(r =>
        {
            if (Value(r) is { } v && DataSource.Problem(v) is { } problem) r.AddError($"--data {v}: {problem}");
        });
        o.CompletionSources.Add(c => FileSystem(c, []));
        return o;
    }

    /// <summary>A file the command reads: must exist and be a file.</summary>
    public static Option<string?> InputFile(string name, string? alias, string description, params string[] extensions)
    {
        var o = new Option<string?>(name, Aliases(alias)) { Description = description, HelpName = "FILE", Arity = ArgumentArity.OneOrMore, CustomParser = Last };
        o.Validators.Add(r =>
        {
            if (Value(r) is { } v && InputProblem(v) is { } problem) r.AddError($"{name} {v}: {problem}");
        });
        o.CompletionSources.Add(c => FileSystem(c, extensions));
        return o;
    }

    /// <summary>Why a file to read cannot be: it is a directory or does not exist; null when it is a file.</summary>
    public static string? InputProblem(string path) =>
        Directory.Exists(path) ? "is a directory; give a file." : File.Exists(path) ? null : "no such file.";

    /// <summary>
    /// A file the command writes: checked while parsing (so before any work) to have one of <paramref name="extensions"/>
    /// (any when empty), not to be a directory, and to be creatable in an existing, writable folder.
    /// </summary>
    public static Option<string?> OutputFile(string name, string? alias, string description, params string[] extensions)
    {
        var o = new Option<string?>(name, Aliases(alias)) { Description = description, HelpName = "FILE", Arity = ArgumentArity.OneOrMore, CustomParser = Last };
        o.Validators.Add(r =>
        {
            if (Value(r) is not { } v) return;
            if (Directory.Exists(v))
                r.AddError($"{name} {v}: is a directory; give a file name.");
            else if (extensions.Length > 0 && !extensions.Any(e => v.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                r.AddError($"{name} {v}: give a file name ending in {string.Join(" or ", extensions)}.");
            else if (OutputPath.Problem(v) is { } problem)
                r.AddError($"{name} {v}: {problem}");
        });
        o.CompletionSources.Add(c => FileSystem(c, extensions));
        return o;
    }

    /// <summary>Whether the user gave <paramref name="option"/> on the command line (rather than its default applying).</summary>
    public static bool Given(this ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    private static Option<T> Make<T>(string name, string? alias, string description, Func<T>? fallback, Func<string, (bool Ok, T Value)> parse, string expected)
    {
        var o = new Option<T>(name, Aliases(alias))
        {
            Description = description,
            HelpName = typeof(T) == typeof(double?) ? "X" : "N",
            Arity = ArgumentArity.OneOrMore,   // given twice (say in a response file and after it), the last one wins
        };
        if (fallback != null) o.DefaultValueFactory = _ => fallback();
        o.CustomParser = r =>
        {
            string s = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            var (ok, v) = parse(s);
            if (ok) return v;
            r.AddError($"{name} must be {expected}; got '{s}'.");
            return default!;
        };
        return o;
    }

    /// <summary>The value of a path option: the last one given (each occurrence takes one token, so <c>--save a b</c> still refuses <c>b</c>).</summary>
    private static string? Last(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;

    private static string[] Aliases(string? alias) => alias is null ? [] : [alias];

    private static string? Value(OptionResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;

    private static string Show(double v) => double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>Files and folders beginning with the word being completed, files only with one of <paramref name="extensions"/>.</summary>
    public static IEnumerable<CompletionItem> FileSystem(CompletionContext c, string[] extensions)
    {
        string word = c.WordToComplete;
        string? typed = Path.GetDirectoryName(word);
        string dir = typed is { Length: > 0 } ? typed : word.StartsWith('/') ? "/" : ".";
        string prefix = typed is { Length: > 0 } ? typed.TrimEnd('/') + "/" : word.StartsWith('/') ? "/" : "";
        if (!Directory.Exists(dir)) return [];
        try
        {
            var dirs = Directory.EnumerateDirectories(dir).Select(x => prefix + Path.GetFileName(x) + "/");
            var files = Directory.EnumerateFiles(dir)
                .Where(f => extensions.Length == 0 || extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                .Select(x => prefix + Path.GetFileName(x));
            return dirs.Concat(files).Where(x => x.StartsWith(word, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                .Select(x => new CompletionItem(x)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
