using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>
/// What the GEMM does with each finished element of C on its way to memory: <c>v = sum + bias[j]</c>; optionally
/// <c>pre[i, j] = v</c> (the pre-activation a relu backward needs); optionally <c>v = (v ≤ 0 ? 0 : v) + shift</c> (relu, or
/// the lesson's relu − 0.5); then <c>c[i, j] = v</c>. Fusing this into the store saves whole passes over an m×n array.
/// </summary>
/// <remarks>The order of operations is part of the GEMM's specification (<see cref="GemmScalar"/>), so every path agrees bit for bit,
/// and the relu part is exactly <see cref="ReluKernels.Forward"/>'s.</remarks>
internal unsafe struct GemmEpilogue
{
    /// <summary>Length-n bias (for the columns of this tile once offset), or null.</summary>
    public float* Bias;

    /// <summary>Where the pre-activation goes, as an element offset from C (same strides); 0 for none.</summary>
    public nint PreOffset;

    /// <summary>Apply relu + <see cref="Shift"/> after the bias.</summary>
    public bool Relu;

    /// <summary>Added after the relu clamp (−0.5 in the lesson; 0 for plain relu).</summary>
    public float Shift;

    /// <summary>True when the epilogue does nothing beyond storing the sum.</summary>
    public readonly bool IsEmpty => Bias == null && PreOffset == 0 && !Relu;

    /// <summary>The scalar specification of one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Apply(float v, int j, float* c)
    {
        if (Bias != null) v += Bias[j];
        if (PreOffset != 0) c[PreOffset] = v;
        if (Relu) v = (v <= 0f ? 0f : v) + Shift;
        return v;
    }

    /// <summary>c[r, j] = (add ? c[r, j] + t[r, j] : t[r, j]), then the epilogue (when given), for a tile parked at t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish512(float* t, int tStride, int rows, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
    {
        bool bias = ep != null && ep->Bias != null, pre = ep != null && ep->PreOffset != 0, relu = ep != null && ep->Relu;
        Vector512<float> shift = relu ? Vector512.Create(ep->Shift) : default;
        for (int r = 0; r < rows; r++, c += ldc, t += tStride)
        {
            int j = 0;
            for (; j + 16 <= cols; j += 16)
            {
                Vector512<float> v = Vector512.Load(t + j);
                if (add) v = Vector512.Load(c + j) + v;
                if (bias) v += Vector512.Load(ep->Bias + j);
                if (pre) Vector512.Store(v, c + j + ep->PreOffset);
                if (relu) v = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v) + shift;
                Vector512.Store(v, c + j);
            }
            for (; j < cols; j++)
            {
                float s = add ? c[j] + t[j] : t[j];
                c[j] = ep != null ? ep->Apply(s, j, c + j) : s;
            }
        }
    }

    /// <summary>As <see cref="Finish512"/>, eight lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish256(float* t, int tStride, int rows, float* c, nint ldc, int cols, bool add, GemmEpilogue* ep)
    {
        bool bias = ep != null && ep->Bias != null, pre = ep != null && ep->PreOffset != 0, relu = ep != null && ep->Relu;
        Vector256<float> shift = relu ? Vector256.Create(ep->Shift) : default;
        for (int r = 0; r < rows; r++, c += ldc, t += tStride)
        {
            int j = 0;
            for (; j + 8 <= cols; j += 8)
            {
                Vector256<float> v = Vector256.Load(t + j);
                if (add) v = Vector256.Load(c + j) + v;
                if (bias) v += Vector256.Load(ep->Bias + j);
                if (pre) Vector256.Store(v, c + j + ep->PreOffset);
                if (relu) v = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(v, Vector256<float>.Zero), Vector256<float>.Zero, v) + shift;
                Vector256.Store(v, c + j);
            }
            for (; j < cols; j++)
            {
                float s = add ? c[j] + t[j] : t[j];
                c[j] = ep != null ? ep->Apply(s, j, c + j) : s;
            }
        }
    }
}
