namespace Mlp;

/// <summary>
/// Leaky rectified linear unit: <c>y = x</c> where <c>x &gt; 0</c>, else <c>slope·x</c>. PyTorch: <c>F.leaky_relu(x, slope)</c>
/// (<c>nn.LeakyReLU(negative_slope)</c>, default slope 0.01).
/// </summary>
/// <remarks>The gradient is <c>dy</c> where <c>x &gt; 0</c>, else <c>slope·dy</c>; at 0 it is <c>slope·dy</c>, as in PyTorch.</remarks>
public static class LeakyRelu
{
    /// <summary>PyTorch's default negative slope, 0.01.</summary>
    public const float DefaultSlope = 0.01f;

    /// <summary>Computes the leaky relu of <paramref name="x"/> and its backward closure <c>dy ↦ dy ⊙ (x &gt; 0 ? 1 : slope)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="slope">The factor applied to entries ≤ 0; finite.</param>
    /// <exception cref="ArgumentException"><paramref name="slope"/> is NaN or infinite.</exception>
    public static Vjp<Tensor> Forward(Tensor x, float slope)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!float.IsFinite(slope)) throw new ArgumentException($"LeakyRelu: the slope must be finite; got {slope}.", nameof(slope));
        Tensor y = Tensor.Create(x.ShapeArray(), d =>
        {
            var s = x.AsSpan();
            for (int i = 0; i < d.Length; i++) d[i] = s[i] > 0 ? s[i] : slope * s[i];
        });
        return new(y, dy =>
        {
            x.RequireSameShape(dy, "LeakyRelu backward: x and dy");
            return Tensor.Create(x.ShapeArray(), d =>
            {
                ReadOnlySpan<float> s = x.AsSpan(), g = dy.AsSpan();
                for (int i = 0; i < d.Length; i++) d[i] = s[i] > 0 ? g[i] : slope * g[i];   // dx = dy ⊙ (x > 0 ? 1 : slope)
            });
        });
    }
}

public sealed partial class Tape
{
    /// <summary>Records <see cref="Mlp.LeakyRelu.Forward"/>: <c>x &gt; 0 ? x : slope·x</c>.</summary>
    public Node LeakyRelu(Node x, float slope)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (y, back) = Mlp.LeakyRelu.Forward(x.Value, slope);
        return Record(y, [x], dy => [back(dy)]);
    }
}
