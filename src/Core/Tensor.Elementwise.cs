using System.Numerics.Tensors;
using Mlp.Kernels;

namespace Mlp;

public sealed partial class Tensor
{
    /// <summary>Element-wise sum with broadcasting (PyTorch: <c>a + b</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator +(Tensor a, Tensor b) => BinaryDriver.Run<AddOp>(a, b);
    /// <summary>Element-wise difference with broadcasting (PyTorch: <c>a - b</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator -(Tensor a, Tensor b) => BinaryDriver.Run<SubtractOp>(a, b);
    /// <summary>Element-wise product with broadcasting (PyTorch: <c>a * b</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator *(Tensor a, Tensor b) => BinaryDriver.Run<MultiplyOp>(a, b);
    /// <summary>Element-wise quotient with broadcasting (PyTorch: <c>a / b</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names both.</exception>
    public static Tensor operator /(Tensor a, Tensor b) => BinaryDriver.Run<DivideOp>(a, b);

    /// <summary><c>a + s</c> for every element.</summary>
    public static Tensor operator +(Tensor a, float s) => Map(a, s, static (x, v, d) => TensorPrimitives.Add(x, v, d));
    /// <summary><c>s + a</c> for every element.</summary>
    public static Tensor operator +(float s, Tensor a) => a + s;
    /// <summary><c>a − s</c> for every element.</summary>
    public static Tensor operator -(Tensor a, float s) => Map(a, s, static (x, v, d) => TensorPrimitives.Subtract(x, v, d));
    /// <summary><c>s − a</c> for every element.</summary>
    public static Tensor operator -(float s, Tensor a) => Map(a, s, static (x, v, d) => TensorPrimitives.Subtract(v, x, d));
    /// <summary><c>a · s</c> for every element.</summary>
    public static Tensor operator *(Tensor a, float s) => Map(a, s, static (x, v, d) => TensorPrimitives.Multiply(x, v, d));
    /// <summary><c>s · a</c> for every element.</summary>
    public static Tensor operator *(float s, Tensor a) => a * s;
    /// <summary><c>a / s</c> for every element.</summary>
    public static Tensor operator /(Tensor a, float s) => Map(a, s, static (x, v, d) => TensorPrimitives.Divide(x, v, d));
    /// <summary><c>s / a</c> for every element.</summary>
    public static Tensor operator /(float s, Tensor a) => Map(a, s, static (x, v, d) => TensorPrimitives.Divide(v, x, d));
    /// <summary>Negation (PyTorch: <c>-a</c>).</summary>
    public static Tensor operator -(Tensor a) => Map(a, 0f, static (x, _, d) => TensorPrimitives.Negate(x, d));

    /// <summary>Element-wise sum (same as <c>+</c>; for F# and method chains).</summary>
    public Tensor Add(Tensor other) => this + other;
    /// <summary>Element-wise difference (same as <c>-</c>).</summary>
    public Tensor Sub(Tensor other) => this - other;
    /// <summary>Element-wise product (same as <c>*</c>).</summary>
    public Tensor Mul(Tensor other) => this * other;
    /// <summary>Element-wise quotient (same as <c>/</c>).</summary>
    public Tensor Div(Tensor other) => this / other;

    /// <summary>1 where <c>this &gt; other</c>, else 0, with broadcasting (PyTorch: <c>(a &gt; b).float()</c>).</summary>
    public Tensor Gt(Tensor other) => BinaryDriver.Run<GreaterOp>(this, other);
    /// <summary>1 where <c>this &gt; value</c>, else 0.</summary>
    public Tensor Gt(float value) => BinaryDriver.Run<GreaterOp>(this, Scalar(value));
    /// <summary>1 where <c>this ≥ other</c>, else 0, with broadcasting.</summary>
    public Tensor Ge(Tensor other) => BinaryDriver.Run<GreaterEqualOp>(this, other);
    /// <summary>1 where <c>this ≥ value</c>, else 0.</summary>
    public Tensor Ge(float value) => BinaryDriver.Run<GreaterEqualOp>(this, Scalar(value));
    /// <summary>1 where <c>this &lt; other</c>, else 0, with broadcasting.</summary>
    public Tensor Lt(Tensor other) => BinaryDriver.Run<LessOp>(this, other);
    /// <summary>1 where <c>this &lt; value</c>, else 0.</summary>
    public Tensor Lt(float value) => BinaryDriver.Run<LessOp>(this, Scalar(value));
    /// <summary>1 where <c>this ≤ other</c>, else 0, with broadcasting.</summary>
    public Tensor Le(Tensor other) => BinaryDriver.Run<LessEqualOp>(this, other);
    /// <summary>1 where <c>this ≤ value</c>, else 0.</summary>
    public Tensor Le(float value) => BinaryDriver.Run<LessEqualOp>(this, Scalar(value));
    /// <summary>1 where <c>this == other</c>, else 0, with broadcasting.</summary>
    public Tensor Eq(Tensor other) => BinaryDriver.Run<EqualOp>(this, other);
    /// <summary>1 where <c>this == value</c>, else 0.</summary>
    public Tensor Eq(float value) => BinaryDriver.Run<EqualOp>(this, Scalar(value));
    /// <summary>Element-wise maximum with broadcasting (PyTorch: <c>torch.maximum</c>); NaN propagates.</summary>
    public Tensor Maximum(Tensor other) => BinaryDriver.Run<MaximumOp>(this, other);

    /// <summary><c>max(x, min)</c> element-wise (PyTorch: <c>clamp_min</c>); NaN propagates.</summary>
    public Tensor ClampMin(float min) => Map(this, min, static (x, v, d) => TensorPrimitives.Max(x, v, d));
    /// <summary><c>min(x, max)</c> element-wise (PyTorch: <c>clamp_max</c>); NaN propagates.</summary>
    public Tensor ClampMax(float max) => Map(this, max, static (x, v, d) => TensorPrimitives.Min(x, v, d));

    /// <summary><c>x^p</c> element-wise (PyTorch: <c>pow</c>); <c>p = 2</c> is computed exactly as <c>x·x</c>.</summary>
    public Tensor Pow(float p) => p switch
    {
        1f => this,
        2f => Map(this, 0f, static (x, _, d) => TensorPrimitives.Multiply(x, x, d)),
        _ => Map(this, p, static (x, v, d) => TensorPrimitives.Pow(x, v, d)),
    };

    /// <summary><c>eˣ</c> element-wise (PyTorch: <c>exp</c>).</summary>
    public Tensor Exp() => Map(this, 0f, static (x, _, d) => TensorPrimitives.Exp(x, d));
    /// <summary>Natural logarithm element-wise (PyTorch: <c>log</c>); negative inputs give NaN, zero gives −∞.</summary>
    public Tensor Log() => Map(this, 0f, static (x, _, d) => TensorPrimitives.Log(x, d));
    /// <summary>Square root element-wise (PyTorch: <c>sqrt</c>).</summary>
    public Tensor Sqrt() => Map(this, 0f, static (x, _, d) => TensorPrimitives.Sqrt(x, d));
    /// <summary>Absolute value element-wise (PyTorch: <c>abs</c>).</summary>
    public Tensor Abs() => Map(this, 0f, static (x, _, d) => TensorPrimitives.Abs(x, d));
    /// <summary>Hyperbolic tangent element-wise (PyTorch: <c>tanh</c>).</summary>
    public Tensor Tanh() => Map(this, 0f, static (x, _, d) => TensorPrimitives.Tanh(x, d));

    /// <summary>Applies a span kernel to a fresh buffer of the same shape.</summary>
    internal delegate void SpanKernel(ReadOnlySpan<float> x, float value, Span<float> destination);

    internal static Tensor Map(Tensor a, float value, SpanKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(a);
        var d = Storage.Uninitialized(a.Length); // the kernels write every element
        kernel(a.Data, value, d);
        return new Tensor(d, a.Dims);
    }
}
