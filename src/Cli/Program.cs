using Mlp.Cli.Commands;

namespace Mlp.Cli;

/// <summary>The <c>mlp</c> command-line program.</summary>
internal static class Program
{
    /// <summary>Every command: name, one-line summary, entry point. Add a command with one line here.</summary>
    internal static readonly (string Name, string Summary, Func<string[], int> Run)[] Commands =
    [
        ("walkthrough", "the lesson end to end: data, init, forward, loss, gradients, timing (the default)", WalkthroughCommand.Run),
        ("gradcheck", "the lesson's gradients against a PyTorch reference .npz, or finite differences", GradcheckCommand.Run),
        ("train", "train an MLP with cross-entropy: progress, validation, checkpoints, model file, plot", TrainCommand.Run),
        ("eval", "accuracy, per-class accuracy and confusion matrix of a saved model", EvalCommand.Run),
        ("bench", "time the lesson's workload and GEMM shapes (min/median, peak memory, GC); --json, --lesson", BenchCommand.Run),
    ];

    private static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] is "--help" or "-h" or "help")
            {
                PrintHelp();
                return 0;
            }
            if (args.Length > 0 && args[0] == "--version")
            {
                Console.WriteLine(typeof(Program).Assembly.GetName().Version);
                return 0;
            }
            string name = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "walkthrough";
            string[] rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
            foreach (var c in Commands)
                if (c.Name == name) return c.Run(rest);
            Console.Error.WriteLine($"mlp: unknown command '{name}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}. See 'mlp --help'.");
            return 2;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"mlp: {e.Message}");
            return 1;
        }
    }

    private static void PrintHelp()
    {
        Console.WriteLine("mlp — the fast.ai 02_fully_connected lesson, and real training, on Mlp's immutable C# core.");
        Console.WriteLine();
        Console.WriteLine("Usage: mlp [command] [options]        (no command runs the walkthrough)");
        Console.WriteLine();
        Console.WriteLine("Commands:");
        foreach (var c in Commands) Console.WriteLine($"  {c.Name,-12} {c.Summary}");
        Console.WriteLine();
        Console.WriteLine("Run 'mlp <command> --help' for a command's options.");
    }
}
