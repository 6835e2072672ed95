using System.Globalization;

namespace Mlp.Cli;

/// <summary>A user error on the command line: printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A small GNU-style option parser: <c>--name value</c>, <c>--name=value</c> and boolean <c>--flag</c>.
/// Each command declares its options; unknown options are errors that list the known ones.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly string command;

    private CliArgs(string command) => this.command = command;

    /// <summary>Parses <paramref name="args"/> against the options a command accepts.</summary>
    /// <param name="command">The command's name, for messages.</param>
    /// <param name="args">The arguments after the command name.</param>
    /// <param name="valued">Options that take a value.</param>
    /// <param name="flags">Boolean options.</param>
    public static CliArgs Parse(string command, string[] args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var r = new CliArgs(command);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"mlp {command}: unexpected argument '{a}'. See 'mlp {command} --help'.");
            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (flags.Contains(name))
            {
                if (inline != null) throw new UsageException($"mlp {command}: --{name} takes no value.");
                r.values[name] = null;
            }
            else if (valued.Contains(name))
            {
                string? v = inline ?? (i + 1 < args.Length ? args[++i] : null);
                if (v is null) throw new UsageException($"mlp {command}: --{name} needs a value.");
                r.values[name] = v;
            }
            else
            {
                var known = valued.Select(v => "--" + v).Concat(flags.Select(f => "--" + f));
                throw new UsageException($"mlp {command}: unknown option '{a}'. Known options: {string.Join(", ", known)}.");
            }
        }
        return r;
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name) => values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (String(name) is not { } s) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new UsageException($"mlp {command}: --{name} must be an integer in [{min}, {max}]; got '{s}'.");
        return v;
    }

    public ulong ULong(string name, ulong fallback)
    {
        if (String(name) is not { } s) return fallback;
        if (!ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v))
            throw new UsageException($"mlp {command}: --{name} must be a non-negative integer; got '{s}'.");
        return v;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (String(name) is not { } s) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < min || v > max)
            throw new UsageException($"mlp {command}: --{name} must be a number in [{min}, {max}]; got '{s}'.");
        return v;
    }
}
