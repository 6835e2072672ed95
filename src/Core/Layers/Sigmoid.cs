using System.Numerics.Tensors;

namespace Mlp;

/// <summary>Logistic sigmoid: <c>y = 1 / (1 + e^(−x))</c>. PyTorch: <c>nn.Sigmoid</c> / <c>torch.sigmoid</c>.</summary>
/// <remarks>The derivative is computed from the output, <c>y(1 − y)</c>, as PyTorch does; it is 0 where y rounds to 0 or 1.</remarks>
public static class Sigmoid
{
    /// <summary>Computes <c>σ(x)</c> and its backward closure <c>dy ↦ dy ⊙ y(1 − y)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <exception cref="ArgumentException">Backward: <c>dy</c> is not shaped like <paramref name="x"/>; the message names both shapes.</exception>
    public static Vjp<Tensor> Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = Tensor.Create(x.ShapeArray(), d => TensorPrimitives.Sigmoid(x.AsSpan(), d));
        return new(y, dy =>
        {
            y.RequireSameShape(dy, "Sigmoid backward: output and dy");
            return Tensor.Create(y.ShapeArray(), d =>
            {
                TensorPrimitives.Subtract(1f, y.AsSpan(), d);           // 1 − y
                TensorPrimitives.Multiply(d, y.AsSpan(), d);            // σ' = y(1 − y)
                TensorPrimitives.Multiply(d, dy.AsSpan(), d);           // dx = dy ⊙ y(1 − y)
            });
        });
    }
}
