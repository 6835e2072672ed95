namespace Mlp.Models;

public sealed partial class Layer
{
    /// <summary>Hyperbolic tangent (<see cref="Mlp.Tanh"/>). PyTorch: <c>nn.Tanh()</c>.</summary>
    public static Layer Tanh() => Activation("Tanh()", Mlp.Tanh.Forward);

    /// <summary>Logistic sigmoid <c>1/(1 + e^(−x))</c> (<see cref="Mlp.Sigmoid"/>). PyTorch: <c>nn.Sigmoid()</c>.</summary>
    public static Layer Sigmoid() => Activation("Sigmoid()", Mlp.Sigmoid.Forward);

    /// <summary>
    /// Gaussian error linear unit (<see cref="Mlp.Gelu"/>), exact (<c>x·Φ(x)</c>) or the tanh approximation.
    /// PyTorch: <c>nn.GELU()</c> / <c>nn.GELU(approximate='tanh')</c>.
    /// </summary>
    /// <param name="approximate">The formula; prints as <c>GELU()</c> or <c>GELU(approximate='tanh')</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="approximate"/> is not a defined value.</exception>
    public static Layer Gelu(GeluApproximation approximate = GeluApproximation.None)
    {
        if (!Enum.IsDefined(approximate))
            throw new ArgumentOutOfRangeException(nameof(approximate), $"GELU: approximate must be None or Tanh; got {approximate}.");
        return Activation(approximate == GeluApproximation.Tanh ? "GELU(approximate='tanh')" : "GELU()", x => Mlp.Gelu.Forward(x, approximate));
    }

    /// <summary>
    /// Row-wise softmax (<see cref="Mlp.Softmax.Forward"/>) over the features of (n, c) input. PyTorch: <c>nn.Softmax(dim=1)</c>.
    /// </summary>
    /// <param name="dim">The dimension normalized over: 1 (or −1, the same for 2-D input).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is neither 1 nor −1.</exception>
    public static Layer Softmax(int dim = 1) => Activation($"Softmax(dim={FeatureDim("Softmax", dim)})", Mlp.Softmax.Forward);

    /// <summary>
    /// Row-wise log-softmax (<see cref="Mlp.LogSoftmax"/>) over the features of (n, c) input. PyTorch: <c>nn.LogSoftmax(dim=1)</c>.
    /// </summary>
    /// <param name="dim">The dimension normalized over: 1 (or −1, the same for 2-D input).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is neither 1 nor −1.</exception>
    public static Layer LogSoftmax(int dim = 1) => Activation($"LogSoftmax(dim={FeatureDim("LogSoftmax", dim)})", Mlp.LogSoftmax.Forward);

    // Models take (n, features) input, so dim 1 and dim -1 are the same dimension; both print as dim=1.
    private static int FeatureDim(string layer, int dim) => dim is 1 or -1 ? 1
        : throw new ArgumentOutOfRangeException(nameof(dim), $"{layer}: models take (n, features) input, so dim must be 1 (or -1); got {dim}.");

    // A built-in parameter-free layer over a Core vjp: one adapter, no second backward.
    private static Layer Activation(string name, Func<Tensor, Vjp<Tensor>> vjp) =>
        new(name, [], _ => [], (t, x, _) =>
        {
            var (y, back) = vjp(x.Value);
            return t.Record(y, [x], dy => [back(dy)]);
        }, builtIn: true);
}
