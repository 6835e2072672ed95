using System.Numerics.Tensors;

namespace Mlp.Kernels;

/// <summary>A binary element-wise op: the scalar form is the specification, the span forms are its SIMD drivers.</summary>
internal interface IBinaryOp
{
    static abstract float Apply(float a, float b);
    static abstract void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d);
    static abstract void Apply(ReadOnlySpan<float> a, float b, Span<float> d);
    static abstract void Apply(float a, ReadOnlySpan<float> b, Span<float> d);
}

internal readonly struct AddOp : IBinaryOp
{
    public static float Apply(float a, float b) => a + b;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Add(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Add(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Add(b, a, d);
}

internal readonly struct SubtractOp : IBinaryOp
{
    public static float Apply(float a, float b) => a - b;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Subtract(a, b, d);
}

internal readonly struct MultiplyOp : IBinaryOp
{
    public static float Apply(float a, float b) => a * b;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Multiply(b, a, d);
}

internal readonly struct DivideOp : IBinaryOp
{
    public static float Apply(float a, float b) => a / b;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Divide(a, b, d);
}

/// <summary>Binary ops without a TensorPrimitives kernel run the scalar specification in a plain loop.</summary>
internal abstract class ScalarLoop<TSelf> where TSelf : IScalarBinary
{
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Apply(a[i], b[i]);
    }

    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Apply(a[i], b);
    }

    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = TSelf.Apply(a, b[i]);
    }
}

internal interface IScalarBinary
{
    static abstract float Apply(float a, float b);
}

#pragma warning disable CS1591
internal readonly struct GreaterOp : IBinaryOp, IScalarBinary
{
    public static float Apply(float a, float b) => a > b ? 1f : 0f;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<GreaterOp>.Apply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => ScalarLoop<GreaterOp>.Apply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<GreaterOp>.Apply(a, b, d);
}

internal readonly struct GreaterEqualOp : IBinaryOp, IScalarBinary
{
    public static float Apply(float a, float b) => a >= b ? 1f : 0f;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<GreaterEqualOp>.Apply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => ScalarLoop<GreaterEqualOp>.Apply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<GreaterEqualOp>.Apply(a, b, d);
}

internal readonly struct LessOp : IBinaryOp, IScalarBinary
{
    public static float Apply(float a, float b) => a < b ? 1f : 0f;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<LessOp>.Apply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => ScalarLoop<LessOp>.Apply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<LessOp>.Apply(a, b, d);
}

internal readonly struct LessEqualOp : IBinaryOp, IScalarBinary
{
    public static float Apply(float a, float b) => a <= b ? 1f : 0f;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<LessEqualOp>.Apply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => ScalarLoop<LessEqualOp>.Apply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<LessEqualOp>.Apply(a, b, d);
}

internal readonly struct EqualOp : IBinaryOp, IScalarBinary
{
    public static float Apply(float a, float b) => a == b ? 1f : 0f;
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<EqualOp>.Apply(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => ScalarLoop<EqualOp>.Apply(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => ScalarLoop<EqualOp>.Apply(a, b, d);
}

internal readonly struct MaximumOp : IBinaryOp
{
    public static float Apply(float a, float b) => MathF.Max(a, b);
    public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Max(a, b, d);
    public static void Apply(ReadOnlySpan<float> a, float b, Span<float> d) => TensorPrimitives.Max(a, b, d);
    public static void Apply(float a, ReadOnlySpan<float> b, Span<float> d) => TensorPrimitives.Max(b, a, d);
}
#pragma warning restore CS1591
