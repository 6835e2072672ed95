namespace Mlp;

/// <summary>Which side of a weight matrix Kaiming scaling preserves the variance of.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass: fan = number of inputs.</summary>
    FanIn,
    /// <summary>Preserve the variance of gradients in the backward pass: fan = number of outputs.</summary>
    FanOut,
}

/// <summary>
/// The gain of a nonlinearity for Kaiming initialization (PyTorch: <c>nn.init.calculate_gain</c>).
/// </summary>
/// <param name="Name">A readable name such as <c>relu</c>.</param>
/// <param name="Value">The multiplier on the unit-variance std.</param>
public sealed record Gain(string Name, double Value)
{
    /// <summary>√2, for relu.</summary>
    public static Gain Relu { get; } = new("relu", Math.Sqrt(2.0));

    /// <summary>1, for a linear (identity) activation.</summary>
    public static Gain Linear { get; } = new("linear", 1.0);

    /// <summary>5/3, for tanh (PyTorch's <c>calculate_gain('tanh')</c>).</summary>
    public static Gain Tanh { get; } = new("tanh", 5.0 / 3);

    /// <summary>1, for sigmoid.</summary>
    public static Gain Sigmoid { get; } = new("sigmoid", 1.0);

    /// <summary>√(2/(1+a²)), for leaky relu with negative slope <paramref name="negativeSlope"/>.</summary>
    public static Gain LeakyRelu(double negativeSlope) =>
        new($"leaky_relu({negativeSlope})", Math.Sqrt(2.0 / (1 + negativeSlope * negativeSlope)));
}

/// <summary>
/// Weight initializers for Mlp's <b>(in, out)</b> weight layout, where <c>y = x·w</c>.
/// </summary>
/// <remarks>
/// PyTorch's <c>nn.Linear</c> stores weights as <b>(out, in)</b> and computes its fans from that layout,
/// which is why the lesson needs <c>kaiming_normal_(w1, mode='fan_out')</c> on its (784, 50) matrix to get
/// fan = 784. Here every initializer takes <c>inFeatures</c> and <c>outFeatures</c> by name and a
/// <see cref="FanMode"/>, so the fan is never guessed from a shape.
/// </remarks>
public static class Init
{
    /// <summary>The fan selected by <paramref name="mode"/> for a layer with these sizes.</summary>
    public static int Fan(int inFeatures, int outFeatures, FanMode mode) => mode == FanMode.FanIn ? inFeatures : outFeatures;

    /// <summary>
    /// The lesson's first init, <c>torch.randn(in, out) / √in</c>: std = 1/√fan_in (LeCun normal).
    /// </summary>
    /// <returns>An (inFeatures, outFeatures) weight.</returns>
    public static Tensor LeCunNormal(Rng rng, int inFeatures, int outFeatures)
    {
        CheckSizes(inFeatures, outFeatures);
        return rng.Normal(inFeatures, outFeatures) * (float)(1 / Math.Sqrt(inFeatures));
    }

    /// <summary>The standard deviation Kaiming normal uses: <c>gain / √fan</c>.</summary>
    public static double KaimingStd(int fan, Gain gain) => gain.Value / Math.Sqrt(fan);

    /// <summary>
    /// Kaiming (He) normal: N(0, (gain/√fan)²) (PyTorch: <c>nn.init.kaiming_normal_</c>).
    /// With <see cref="FanMode.FanIn"/> and <see cref="Gain.Relu"/> this is the lesson's <c>randn(m, nh)·√(2/m)</c>.
    /// </summary>
    /// <param name="rng">The random stream.</param>
    /// <param name="inFeatures">Rows of the weight: the layer's inputs.</param>
    /// <param name="outFeatures">Columns of the weight: the layer's outputs.</param>
    /// <param name="mode">Whether fan is <paramref name="inFeatures"/> or <paramref name="outFeatures"/>.</param>
    /// <param name="gain">The nonlinearity's gain.</param>
    /// <returns>An (inFeatures, outFeatures) weight.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Tensor KaimingNormal(Rng rng, int inFeatures, int outFeatures, FanMode mode, Gain gain)
    {
        CheckSizes(inFeatures, outFeatures);
        ArgumentNullException.ThrowIfNull(gain);
        return rng.Normal(inFeatures, outFeatures) * (float)KaimingStd(Fan(inFeatures, outFeatures, mode), gain);
    }

    /// <summary>
    /// Kaiming (He) uniform: U(−b, b) with <c>b = gain·√(3/fan)</c> (PyTorch: <c>nn.init.kaiming_uniform_</c>).
    /// </summary>
    /// <returns>An (inFeatures, outFeatures) weight.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Tensor KaimingUniform(Rng rng, int inFeatures, int outFeatures, FanMode mode, Gain gain)
    {
        CheckSizes(inFeatures, outFeatures);
        ArgumentNullException.ThrowIfNull(gain);
        float bound = (float)(gain.Value * Math.Sqrt(3.0 / Fan(inFeatures, outFeatures, mode)));
        return rng.Uniform([inFeatures, outFeatures], -bound, bound);
    }

    /// <summary>
    /// PyTorch <c>nn.Linear</c>'s default: weight kaiming_uniform with a = √5 (so U(±1/√in)) and bias U(±1/√in).
    /// </summary>
    /// <returns>The (inFeatures, outFeatures) weight and the (outFeatures) bias.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static (Tensor Weight, Tensor Bias) TorchLinearDefault(Rng rng, int inFeatures, int outFeatures)
    {
        var w = KaimingUniform(rng, inFeatures, outFeatures, FanMode.FanIn, Gain.LeakyRelu(Math.Sqrt(5)));
        float bound = (float)(1 / Math.Sqrt(inFeatures));
        var b = rng.Uniform([outFeatures], -bound, bound);
        return (w, b);
    }

    /// <summary>The standard deviation Xavier normal uses: <c>gain·√(2/(fan_in + fan_out))</c>.</summary>
    public static double XavierStd(int inFeatures, int outFeatures, Gain gain)
    {
        ArgumentNullException.ThrowIfNull(gain);
        return gain.Value * Math.Sqrt(2.0 / ((double)inFeatures + outFeatures));
    }

    /// <summary>
    /// Xavier (Glorot) uniform: U(−a, a) with <c>a = gain·√(6/(fan_in + fan_out))</c> (PyTorch: <c>nn.init.xavier_uniform_</c>).
    /// </summary>
    /// <param name="rng">The random stream.</param>
    /// <param name="inFeatures">Rows of the weight: fan_in.</param>
    /// <param name="outFeatures">Columns of the weight: fan_out.</param>
    /// <param name="gain">The nonlinearity's gain (<see cref="Gain.Linear"/> is PyTorch's default, 1).</param>
    /// <returns>An (inFeatures, outFeatures) weight.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Tensor XavierUniform(Rng rng, int inFeatures, int outFeatures, Gain gain)
    {
        CheckSizes(inFeatures, outFeatures);
        float bound = (float)(XavierStd(inFeatures, outFeatures, gain) * Math.Sqrt(3.0));   // uniform on ±a has std a/√3
        return rng.Uniform([inFeatures, outFeatures], -bound, bound);
    }

    /// <summary>
    /// Xavier (Glorot) normal: N(0, (gain·√(2/(fan_in + fan_out)))²) (PyTorch: <c>nn.init.xavier_normal_</c>).
    /// </summary>
    /// <returns>An (inFeatures, outFeatures) weight.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static Tensor XavierNormal(Rng rng, int inFeatures, int outFeatures, Gain gain)
    {
        CheckSizes(inFeatures, outFeatures);
        return rng.Normal(inFeatures, outFeatures) * (float)XavierStd(inFeatures, outFeatures, gain);
    }

    private static void CheckSizes(int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
    }
}
