using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>Relu's fused forward (<c>max(x,0)+shift</c>) and backward (<c>dy ⊙ [x &gt; 0]</c>) kernels.</summary>
/// <remarks>The scalar loops are the specification; the vector loops must agree with them bit for bit.</remarks>
internal static class ReluKernels
{
    private static SimdPath Effective(SimdPath requested) => requested switch
    {
        SimdPath.Auto when Vector512.IsHardwareAccelerated => SimdPath.Vector512,
        SimdPath.Auto when Vector256.IsHardwareAccelerated => SimdPath.Vector256,
        SimdPath.Auto => SimdPath.Scalar,
        SimdPath.Vector512 when !Vector512.IsHardwareAccelerated => Effective(SimdPath.Vector256),
        SimdPath.Vector256 when !Vector256.IsHardwareAccelerated => SimdPath.Scalar,
        _ => requested,
    };

    /// <summary>d = dy where x &gt; 0, else 0 (so relu'(0) = 0, as in PyTorch); NaN in x gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> d, SimdPath path = SimdPath.Auto)
    {
        int n = d.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rdy = ref MemoryMarshal.GetReference(dy);
        ref float rd = ref MemoryMarshal.GetReference(d);
        switch (Effective(path))
        {
            case SimdPath.Vector512:
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var vx = Vector512.LoadUnsafe(ref rx, (nuint)i);
                    var vdy = Vector512.LoadUnsafe(ref rdy, (nuint)i);
                    Vector512.ConditionalSelect(Vector512.GreaterThan(vx, Vector512<float>.Zero), vdy, Vector512<float>.Zero)
                        .StoreUnsafe(ref rd, (nuint)i);
                }
                break;
            case SimdPath.Vector256:
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var vx = Vector256.LoadUnsafe(ref rx, (nuint)i);
                    var vdy = Vector256.LoadUnsafe(ref rdy, (nuint)i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(vx, Vector256<float>.Zero), vdy, Vector256<float>.Zero)
                        .StoreUnsafe(ref rd, (nuint)i);
                }
                break;
        }
        for (; i < n; i++) d[i] = x[i] > 0f ? dy[i] : 0f;
    }

    /// <summary>d = max(x, 0) + shift; NaN in x propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, float shift, Span<float> d, SimdPath path = SimdPath.Auto)
    {
        int n = d.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(d);
        switch (Effective(path))
        {
            case SimdPath.Vector512:
                var s512 = Vector512.Create(shift);
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var vx = Vector512.LoadUnsafe(ref rx, (nuint)i);
                    // x > 0 keeps x (and NaN, which fails x <= 0); else 0.
                    (Vector512.ConditionalSelect(Vector512.LessThanOrEqual(vx, Vector512<float>.Zero), Vector512<float>.Zero, vx) + s512)
                        .StoreUnsafe(ref rd, (nuint)i);
                }
                break;
            case SimdPath.Vector256:
                var s256 = Vector256.Create(shift);
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var vx = Vector256.LoadUnsafe(ref rx, (nuint)i);
                    (Vector256.ConditionalSelect(Vector256.LessThanOrEqual(vx, Vector256<float>.Zero), Vector256<float>.Zero, vx) + s256)
                        .StoreUnsafe(ref rd, (nuint)i);
                }
                break;
        }
        for (; i < n; i++) d[i] = (x[i] <= 0f ? 0f : x[i]) + shift;
    }
}
