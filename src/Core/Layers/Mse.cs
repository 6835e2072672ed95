namespace Mlp;

/// <summary>
/// Mean squared error with the lesson's squeeze: <c>mean((output.squeeze(-1) − target)²)</c>.
/// PyTorch: <c>F.mse_loss(output.squeeze(-1), target)</c>.
/// </summary>
/// <remarks>
/// The lesson's model returns (n, 1) and its targets are (n). The last dimension of an output of rank two or more
/// is squeezed when it is 1; a rank-1 output is used as is (so a (1) output against a (1) target stays (1), where
/// PyTorch's squeeze(-1) would make it a scalar). Unlike PyTorch, a mismatch after the squeeze (for example (n, 1)
/// against (n, 1) squeezed to (n)) is an error, not a silent (n, n) broadcast.
/// </remarks>
public static class Mse
{
    /// <summary>Computes the loss (a scalar) and its backward closure <c>dl ↦ dl · 2(ŷ − y)/n</c>, shaped like <paramref name="output"/>.</summary>
    /// <param name="output">(n, 1) or (n) predictions.</param>
    /// <param name="target">(n) targets.</param>
    /// <exception cref="ArgumentException">
    /// The squeezed output and the target differ in shape, or they are empty (the mean would be NaN); the message names both shapes.
    /// </exception>
    public static Vjp<Tensor> Forward(Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        Tensor squeezed = output.Rank >= 2 ? output.Squeeze(-1) : output;
        if (!squeezed.SameShape(target))
            throw new ArgumentException(
                $"Mse: output {Tensor.ShapeString(output.Dims)} squeezed to {Tensor.ShapeString(squeezed.Dims)} does not match target {Tensor.ShapeString(target.Dims)}.");
        if (target.Length == 0)
            throw new ArgumentException($"Mse: output {Tensor.ShapeString(output.Dims)} and target {Tensor.ShapeString(target.Dims)} are empty; their mean is undefined.");
        Tensor diff = squeezed - target;
        int n = target.Length;
        double ss = 0;
        foreach (float v in diff.AsSpan()) ss += (double)v * v;
        Tensor loss = Tensor.Scalar((float)(ss / n));
        return new(loss, dl =>
        {
            float scale = 2f * dl.ToScalar() / n;
            return (diff * scale).Reshape(output.ShapeArray()); // dŷ = 2(ŷ − y)/n, unsqueezed back to output's shape
        });
    }
}
