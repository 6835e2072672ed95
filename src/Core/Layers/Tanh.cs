using System.Numerics.Tensors;

namespace Mlp;

/// <summary>Hyperbolic tangent: <c>y = tanh(x)</c>. PyTorch: <c>nn.Tanh</c> / <c>torch.tanh</c>.</summary>
public static class Tanh
{
    /// <summary>Computes <c>tanh(x)</c> and its backward closure <c>dy ↦ dy ⊙ (1 − y²)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <exception cref="ArgumentException">Backward: <c>dy</c> is not shaped like <paramref name="x"/>; the message names both shapes.</exception>
    public static Vjp<Tensor> Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = x.Tanh();
        return new(y, dy =>
        {
            y.RequireSameShape(dy, "Tanh backward: output and dy");
            return Tensor.Create(y.ShapeArray(), d =>
            {
                TensorPrimitives.Multiply(y.AsSpan(), y.AsSpan(), d);   // y²
                TensorPrimitives.Subtract(1f, d, d);                    // tanh' = 1 − y²
                TensorPrimitives.Multiply(d, dy.AsSpan(), d);           // dx = dy ⊙ (1 − y²)
            });
        });
    }
}
