using System.CommandLine;

namespace Mlp.Cli.Commands;

/// <summary><c>mlp plot</c>: loss and accuracy curves from a log written by <c>mlp train --log</c>.</summary>
internal static class PlotCommand
{
    private static readonly Argument<string> Log = LogArgument();
    private static readonly Option<string?> Out = Opt.OutputFile("--out", "-o", "the PNG to write (default: the log's name with .png)", ".png");
    private static readonly Option<string?> Title = new("--title") { Description = "the chart's title (default: the log's file name)" };

    public static Command Create()
    {
        var c = new Command("plot",
            "Loss and accuracy curves (PNG) from a log written by 'mlp train --log'.\n\n" +
            "Draws loss (solid, left axis) and accuracy (dashed, right axis) per epoch, train and validation, from a log " +
            "written by 'mlp train --log FILE' (JSON lines or CSV); works on a log that is still being written. " +
            "Example: mlp train -e 20 --log run.jsonl; mlp plot run.jsonl -o curves.png")
        {
            Log, Out, Title,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult p)
    {
        string log = p.GetValue(Log)!;
        string png = p.GetValue(Out) ?? Path.ChangeExtension(log, ".png");
        if (!p.Given(Out) && OutputPath.Problem(png) is { } problem) throw new UsageException($"{png}: {problem} Give --out FILE.png.");
        var rows = TrainingLog.Read(log);
        Charts.TrainingCurves(rows, png, p.GetValue(Title) ?? Path.GetFileName(log));
        Console.WriteLine($"{rows.Count} epochs from {log} plotted to {png}");
        return 0;
    }

    private static Argument<string> LogArgument()
    {
        var a = new Argument<string>("LOG") { HelpName = "LOG", Description = $"the log: {string.Join(", ", TrainingLog.Extensions)} (a name starting with '-' goes after --)" };
        a.Validators.Add(r =>
        {
            string v = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!TrainingLog.Extensions.Any(e => v.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                r.AddError($"LOG {v}: give a log ending in {string.Join(" or ", TrainingLog.Extensions)}.");
            else if (Opt.InputProblem(v) is { } problem) r.AddError($"LOG {v}: {problem}");
        });
        a.CompletionSources.Add(c => Opt.FileSystem(c, TrainingLog.Extensions));
        return a;
    }
}
