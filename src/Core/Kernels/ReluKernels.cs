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

    /// <summary>
    /// The relu backward fused with the bias gradient, in one pass over (rows × cols): <c>d = dy ⊙ [pre &gt; 0]</c> and
    /// <c>sum[j] += d[i, j]</c> in ascending i, accumulated in double (as <see cref="Tensor.Sum(int)"/> does, so the bits agree).
    /// </summary>
    /// <param name="pre">The pre-activation, rows × cols.</param>
    /// <param name="dy">The gradient of the relu's output, rows × cols.</param>
    /// <param name="d">Receives the masked gradient, rows × cols.</param>
    /// <param name="sum">Length cols; the column sums of <paramref name="d"/> are added into it.</param>
    /// <param name="cols">Columns per row.</param>
    /// <param name="path">SIMD path (tests force each).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardSumRows(ReadOnlySpan<float> pre, ReadOnlySpan<float> dy, Span<float> d, Span<double> sum, int cols, SimdPath path = SimdPath.Auto)
    {
        if (cols <= 0 || sum.Length != cols || pre.Length != d.Length || dy.Length != d.Length || d.Length % cols != 0)
            throw new ArgumentException($"Relu backward with row sums: pre {pre.Length}, dy {dy.Length}, d {d.Length}, sum {sum.Length} do not fit {cols} columns.");
        int rows = d.Length / cols;
        bool v512 = Effective(path) == SimdPath.Vector512 && Vector512.IsHardwareAccelerated;
        bool v256 = !v512 && Effective(path) != SimdPath.Scalar && Vector256.IsHardwareAccelerated;
        ref double rs = ref MemoryMarshal.GetReference(sum);
        for (int i = 0; i < rows; i++)
        {
            int o = i * cols, j = 0;
            ref float rp = ref Unsafe.Add(ref MemoryMarshal.GetReference(pre), o);
            ref float rdy = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), o);
            ref float rd = ref Unsafe.Add(ref MemoryMarshal.GetReference(d), o);
            if (v512)
                for (; j <= cols - 16; j += 16)
                {
                    var v = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref rp, (nuint)j), Vector512<float>.Zero),
                        Vector512.LoadUnsafe(ref rdy, (nuint)j), Vector512<float>.Zero);
                    v.StoreUnsafe(ref rd, (nuint)j);
                    var (lo, hi) = Vector512.Widen(v);
                    (Vector512.LoadUnsafe(ref rs, (nuint)j) + lo).StoreUnsafe(ref rs, (nuint)j);
                    (Vector512.LoadUnsafe(ref rs, (nuint)(j + 8)) + hi).StoreUnsafe(ref rs, (nuint)(j + 8));
                }
            else if (v256)
                for (; j <= cols - 8; j += 8)
                {
                    var v = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref rp, (nuint)j), Vector256<float>.Zero),
                        Vector256.LoadUnsafe(ref rdy, (nuint)j), Vector256<float>.Zero);
                    v.StoreUnsafe(ref rd, (nuint)j);
                    var (lo, hi) = Vector256.Widen(v);
                    (Vector256.LoadUnsafe(ref rs, (nuint)j) + lo).StoreUnsafe(ref rs, (nuint)j);
                    (Vector256.LoadUnsafe(ref rs, (nuint)(j + 4)) + hi).StoreUnsafe(ref rs, (nuint)(j + 4));
                }
            for (; j < cols; j++)
            {
                float v = Unsafe.Add(ref rp, j) > 0f ? Unsafe.Add(ref rdy, j) : 0f;
                Unsafe.Add(ref rd, j) = v;
                Unsafe.Add(ref rs, j) += v;
            }
        }
    }
}
