namespace Mlp.Cli;

/// <summary>A user error on the command line or in the data: one line on stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A check the user asked for failed (a gradient over tolerance, a diverging run): one line on stderr, exit code 1.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);
