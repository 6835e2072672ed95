namespace Mlp.Testing;

/// <summary>One broken law on one case, with a message that shows the numbers.</summary>
/// <param name="Law">Which law.</param>
/// <param name="Message">What was expected, what came out, and the tensors involved.</param>
public sealed record LawFailure(VjpLaw Law, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"[{Law}] {Message}";
}
