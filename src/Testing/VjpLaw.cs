namespace Mlp.Testing;

/// <summary>The laws the kit checks for every layer.</summary>
public enum VjpLaw
{
    /// <summary>Forward or backward threw on valid inputs.</summary>
    Throws,
    /// <summary>The output has the declared shape; backward returns one gradient per non-constant argument, shaped like it.</summary>
    Shapes,
    /// <summary>Forward and backward leave their arguments (and the output gradient) untouched.</summary>
    NoMutation,
    /// <summary>The same inputs give bit-identical outputs and gradients, and backward twice gives the same answer.</summary>
    Determinism,
    /// <summary>Backward is linear in the output gradient: <c>back(αc₁ + βc₂) = α·back(c₁) + β·back(c₂)</c>.</summary>
    Linearity,
    /// <summary>The vjp inner-product law: <c>⟨c, (f(x+εt) − f(x−εt))/2ε⟩ ≈ ⟨back(c), t⟩</c>, in double, for each input.</summary>
    FiniteDifferences,
    /// <summary>Row-wise layers: a split batch concatenates outputs and batched gradients and sums the others.</summary>
    BatchAdditivity,
}
