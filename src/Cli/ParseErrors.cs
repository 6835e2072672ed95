using System.CommandLine;
using System.CommandLine.Parsing;

namespace Mlp.Cli;

/// <summary>A command line the parser refused, told in one line: what is wrong, the closest known name, where help is.</summary>
internal static class ParseErrors
{
    /// <summary>The one line for a parse result with errors, e.g. <c>mlp train: unknown option '--sede'; did you mean --seed? See 'mlp train --help'.</c></summary>
    public static string Line(ParseResult p)
    {
        string path = CommandPath(p);
        var command = p.CommandResult.Command;
        string what;
        if (p.UnmatchedTokens.Count > 0)
        {
            string token = p.UnmatchedTokens[0];
            if (token.StartsWith('-') && token.Length > 1)
            {
                var names = OptionNames(p.CommandResult).ToArray();
                what = $"unknown option '{token}'; " + (Closest(token, names) is { } c ? $"did you mean {c}?" : $"options: {string.Join(", ", names)}.");
            }
            else if (command is RootCommand)
            {
                var names = command.Subcommands.Select(s => s.Name).ToArray();
                what = $"unknown command '{token}'; " + (Closest(token, names) is { } c ? $"did you mean {c}? " : "") + $"Commands: {string.Join(", ", names)}.";
            }
            else what = $"unexpected argument '{token}'.";
        }
        else
        {
            what = p.Errors[0].Message;
            if (p.Errors.Count > 1) what += $" (and {p.Errors.Count - 1} more)";
        }
        return $"{path}: {what} See '{path} --help'.";
    }

    /// <summary><c>mlp</c> or <c>mlp train</c>: the command the line was parsed as.</summary>
    public static string CommandPath(ParseResult p)
    {
        var names = new List<string>();
        for (SymbolResult? r = p.CommandResult; r != null; r = r.Parent)
            if (r is CommandResult { Command: not RootCommand } c) names.Insert(0, c.Command.Name);
        return string.Join(' ', ["mlp", .. names]);
    }

    private static IEnumerable<string> OptionNames(CommandResult r)
    {
        var seen = new HashSet<string>();
        for (SymbolResult? s = r; s != null; s = s.Parent)
            if (s is CommandResult c)
                foreach (var o in c.Command.Options)
                    if (!o.Hidden && (s == r || o.Recursive) && seen.Add(o.Name)) yield return o.Name;
    }

    /// <summary>The known name nearest to <paramref name="typed"/> by edit distance, when it is close (2 edits, or a third of its length).</summary>
    private static string? Closest(string typed, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = Distance(typed, k);
            if (d < bestDistance) { best = k; bestDistance = d; }
        }
        return best != null && bestDistance <= Math.Max(2, best.TrimStart('-').Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
