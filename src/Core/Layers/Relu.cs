using Mlp.Kernels;

namespace Mlp;

/// <summary>Rectified linear unit: <c>y = max(x, 0)</c>. PyTorch: <c>F.relu</c> / <c>x.clamp_min(0.)</c>.</summary>
/// <remarks>relu'(0) = 0, as in PyTorch and the lesson's <c>(inp &gt; 0).float() * out.g</c>.</remarks>
public static class Relu
{
    /// <summary>Computes <c>max(x, 0)</c> and its backward closure <c>dy ↦ dy ⊙ [x &gt; 0]</c>.</summary>
    /// <param name="x">Any shape.</param>
    public static Vjp<Tensor> Forward(Tensor x) => ShiftedRelu.Forward(x, 0f);
}

/// <summary>
/// The lesson's shifted relu: <c>y = max(x, 0) + shift</c> (the lesson uses shift = −0.5 to pull the mean back toward 0).
/// </summary>
/// <remarks>The shift is a constant, so the gradient is relu's: <c>dy ⊙ [x &gt; 0]</c>, with relu'(0) = 0.</remarks>
public static class ShiftedRelu
{
    /// <summary>The lesson's shift, −0.5.</summary>
    public const float LessonShift = -0.5f;

    /// <summary>Computes <c>max(x, 0) + shift</c> and its backward closure.</summary>
    /// <param name="x">Any shape.</param>
    /// <param name="shift">Added after clamping.</param>
    public static Vjp<Tensor> Forward(Tensor x, float shift)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = Tensor.Create(x.ShapeArray(), d => ReluKernels.Forward(x.AsSpan(), shift, d));
        return new(y, dy =>
        {
            x.RequireSameShape(dy, "Relu backward: x and dy");
            return Tensor.Create(x.ShapeArray(), d => ReluKernels.Backward(x.AsSpan(), dy.AsSpan(), d)); // dx = dy ⊙ [x > 0]
        });
    }
}
