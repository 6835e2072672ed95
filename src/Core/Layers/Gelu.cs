namespace Mlp;

/// <summary>Which GELU formula to use (PyTorch: <c>nn.GELU(approximate='none' | 'tanh')</c>).</summary>
public enum GeluApproximation
{
    /// <summary>The exact form <c>x·Φ(x)</c>, Φ the standard normal CDF (PyTorch: <c>approximate='none'</c>).</summary>
    None,
    /// <summary><c>½x(1 + tanh(√(2/π)(x + 0.044715x³)))</c> (PyTorch: <c>approximate='tanh'</c>).</summary>
    Tanh,
}

/// <summary>Gaussian error linear unit. PyTorch: <c>nn.GELU</c> / <c>F.gelu</c>.</summary>
/// <remarks>Computed per element in double (Φ from <see cref="Erf"/>) and rounded once to float32.</remarks>
public static class Gelu
{
    private const double Sqrt2OverPi = 0.79788456080286535588;   // √(2/π)
    private const double InvSqrt2Pi = 0.39894228040143267794;    // 1/√(2π)
    private const double Cubic = 0.044715;

    /// <summary>Computes GELU and its backward closure <c>dy ↦ dy ⊙ gelu'(x)</c>.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="approximate">The exact erf form or the tanh approximation.</param>
    /// <exception cref="ArgumentException">Backward: <c>dy</c> is not shaped like <paramref name="x"/>; the message names both shapes.</exception>
    public static Vjp<Tensor> Forward(Tensor x, GeluApproximation approximate)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool exact = approximate == GeluApproximation.None;
        Tensor y = Tensor.Create(x.ShapeArray(), d =>
        {
            var xs = x.AsSpan();
            for (int i = 0; i < d.Length; i++)
            {
                double v = xs[i];
                d[i] = (float)(exact ? v * Erf.NormalCdf(v) : 0.5 * v * (1 + Math.Tanh(Sqrt2OverPi * (v + Cubic * v * v * v))));
            }
        });
        return new(y, dy =>
        {
            x.RequireSameShape(dy, "Gelu backward: x and dy");
            return Tensor.Create(x.ShapeArray(), d =>
            {
                var xs = x.AsSpan();
                var g = dy.AsSpan();
                for (int i = 0; i < d.Length; i++) d[i] = (float)(g[i] * Derivative(xs[i], exact));
            });
        });
    }

    private static double Derivative(double x, bool exact)
    {
        if (exact) return Erf.NormalCdf(x) + x * InvSqrt2Pi * Math.Exp(-0.5 * x * x);   // d/dx xΦ(x) = Φ(x) + xφ(x)
        double inner = Sqrt2OverPi * (x + Cubic * x * x * x);
        double t = Math.Tanh(inner);
        // d/dx ½x(1 + t) = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Sqrt2OverPi * (1 + 3 * Cubic * x * x);
    }
}
