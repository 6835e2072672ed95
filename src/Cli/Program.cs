using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Mlp.Cli.Commands;

namespace Mlp.Cli;

/// <summary>
/// The <c>mlp</c> command-line program: a System.CommandLine tree (generated help, <c>--version</c>, response files
/// <c>@file</c>, <c>[suggest]</c> completions, <c>--</c>) and one error boundary that turns every failure into one line
/// on stderr and an exit code: 0 done, 1 a check failed, 2 a usage or data error, 130 cancelled.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Every command. Add a command with one line here and one file in Commands/ whose <c>Create()</c> returns a
    /// <see cref="Command"/> (description: a one-line summary, then the details) with options made by <see cref="Opt"/>.
    /// </summary>
    private static Command[] Commands() =>
    [
        WalkthroughCommand.Create(),
        GradcheckCommand.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        ExportCommand.Create(),
        PlotCommand.Create(),
        BenchCommand.Create(),
    ];

    /// <summary><c>--verbose</c>, on every command: a failure also prints its stack trace.</summary>
    internal static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "on failure, also print the stack trace",
        Recursive = true,
    };

    /// <summary>The command tree. Without a command, <c>mlp</c> runs the walkthrough with the walkthrough's options.</summary>
    internal static RootCommand Root()
    {
        var root = new RootCommand(
            "mlp — the fast.ai 02_fully_connected lesson, and real training, on Mlp's immutable C# core.\n" +
            "Without a command, runs the walkthrough (the options below are the walkthrough's).\n" +
            "Options can also come from a response file: mlp train @run.rsp (one or more arguments per line).");
        foreach (var c in Commands()) root.Subcommands.Add(c);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new SummaryHelpAction((SynchronousCommandLineAction)help.Action!);
        foreach (var o in WalkthroughCommand.Options) root.Options.Add(o);
        root.Options.Add(Verbose);
        root.SetAction(WalkthroughCommand.Run);
        return root;
    }

    private static int Main(string[] args)
    {
        ParseResult parsed;
        try
        {
            parsed = Root().Parse(args);
        }
        catch (Exception e)   // a response file that cannot be read, or a bug in a validator
        {
            return Fail("mlp", e, args.Contains("--verbose"));
        }
        if (parsed.Action is ParseErrorAction)
        {
            Console.Error.WriteLine(ParseErrors.Line(parsed));
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,   // train handles Ctrl+C itself: it stops after the current step
            });
        }
        catch (Exception e)
        {
            return Fail(ParseErrors.CommandPath(parsed), e, parsed.GetValue(Verbose));
        }
    }

    /// <summary>
    /// The generated help, with one change: where commands are listed (<c>mlp --help</c>) each shows only the first line of
    /// its description, its summary; <c>mlp CMD --help</c> shows all of it.
    /// </summary>
    private sealed class SummaryHelpAction(SynchronousCommandLineAction generated) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var listed = parseResult.CommandResult.Command.Subcommands;
            var full = listed.Select(c => c.Description).ToArray();
            try
            {
                foreach (var c in listed) c.Description = c.Description?.Split('\n')[0];
                return generated.Invoke(parseResult);
            }
            finally
            {
                for (int i = 0; i < listed.Count; i++) listed[i].Description = full[i];
            }
        }
    }

    /// <summary>The error boundary: one line naming what is wrong, the exit code for its kind, the trace only with --verbose.</summary>
    private static int Fail(string command, Exception e, bool verbose)
    {
        var (code, message) = Classify(e);
        Console.Error.WriteLine($"{command}: {OneLine(message)}");
        if (verbose) Console.Error.WriteLine(e);
        return code;
    }

    /// <summary>Exit code and message per exception family.</summary>
    internal static (int Code, string Message) Classify(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Classify(a.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Classify(inner),
        UsageException => (2, e.Message),
        CheckFailedException => (1, e.Message),
        Mlp.Training.NonFiniteLossException => (1, e.Message),
        OperationCanceledException => (130, "cancelled."),
        ArgumentException { ParamName: { } name } a => (2, a.Message.Replace($" (Parameter '{name}')", "")),
        ArgumentException => (2, e.Message),
        InvalidDataException or IOException or UnauthorizedAccessException => (2, e.Message),   // IOException covers FileNotFound, DirectoryNotFound, EndOfStream
        System.Text.Json.JsonException or FormatException or OverflowException => (2, e.Message),
        OutOfMemoryException => (2, $"not enough memory ({e.Message}); the data or the model is too large for this machine."),
        _ => (1, $"unexpected error ({e.GetType().Name}): {e.Message} Run again with --verbose for the stack trace, and please report it."),
    };

    private static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
