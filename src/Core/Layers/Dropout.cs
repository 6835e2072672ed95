namespace Mlp;

/// <summary>
/// Dropout: in training, each element is kept with probability 1 − p and scaled by 1/(1 − p), else zeroed; in
/// evaluation it is the identity. PyTorch: <c>nn.Dropout(p)</c> / <c>F.dropout(x, p, training)</c>.
/// </summary>
/// <remarks>
/// The random part is only <see cref="Keep"/>; <see cref="Forward"/> is a pure function of the input and a fixed 0/1
/// keep pattern, so it can be law-checked and replayed. p = 1 zeroes everything (as PyTorch), p = 0 keeps everything.
/// </remarks>
public static class Dropout
{
    /// <summary>Draws a keep pattern: 1 with probability 1 − <paramref name="p"/>, else 0 (PyTorch: <c>bernoulli(1 − p)</c>).</summary>
    /// <param name="rng">The random stream (one <c>NextDouble</c> per element, row-major).</param>
    /// <param name="shape">The input's shape.</param>
    /// <param name="p">The drop probability, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static Tensor Keep(Rng rng, int[] shape, double p)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckP(p);
        return Tensor.Create(shape, d =>
        {
            for (int i = 0; i < d.Length; i++) d[i] = rng.NextDouble() >= p ? 1f : 0f;
        });
    }

    /// <summary>Computes <c>x ⊙ keep / (1 − p)</c> and its backward closure <c>dy ↦ dy ⊙ keep / (1 − p)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="keep">0/1 values shaped like <paramref name="x"/>, e.g. from <see cref="Keep"/>.</param>
    /// <param name="p">The drop probability the pattern was drawn with, in [0, 1].</param>
    /// <exception cref="ArgumentException"><paramref name="keep"/> is not shaped like <paramref name="x"/> (or, in backward, <c>dy</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static Vjp<Tensor> Forward(Tensor x, Tensor keep, double p)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.RequireSameShape(keep, "Dropout: x and keep");
        CheckP(p);
        Tensor mask = keep * (p < 1 ? (float)(1 / (1 - p)) : 0f);   // scaled in training, as PyTorch (inverted dropout)
        return new(x * mask, dy =>
        {
            x.RequireSameShape(dy, "Dropout backward: x and dy");
            return dy * mask;                                       // dx = dy ⊙ keep / (1 − p)
        });
    }

    /// <summary>Training mode: draws a keep pattern from <paramref name="rng"/> and applies <see cref="Forward"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static Vjp<Tensor> Train(Tensor x, double p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Forward(x, Keep(rng, x.ShapeArray(), p), p);
    }

    /// <summary>Evaluation mode: the identity, <c>y = x</c>, <c>dx = dy</c>.</summary>
    public static Vjp<Tensor> Eval(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new(x, dy =>
        {
            x.RequireSameShape(dy, "Dropout backward: x and dy");
            return dy;
        });
    }

    private static void CheckP(double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1]; got {p}.");
    }
}
