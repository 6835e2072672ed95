using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Kernels;

/// <summary>
/// The 8×8 float transpose in registers (AVX: unpack, shuffle, swap 128-bit halves — 24 shuffles for 64 floats) that the GEMM's
/// lanes-along-m orientation uses to pack <c>op(A)</c> transposed and to write <c>C</c> back. It only moves bits.
/// </summary>
internal static unsafe class Transpose8
{
    /// <summary>Whether the CPU runs <see cref="Load"/>.</summary>
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>Loads rows <c>src + i·stride</c> (i &lt; 8, 8 floats each) and returns the columns: <c>oq[i] = src[i·stride + q]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(float* src, nint stride,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + stride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * stride), r3 = Avx.LoadVector256(src + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * stride), r5 = Avx.LoadVector256(src + 5 * stride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * stride), r7 = Avx.LoadVector256(src + 7 * stride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // Columns q (low halves) and q + 4 (high halves), rows 0–3 and 4–7.
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(u0, u4, 0x20);
        o1 = Avx.Permute2x128(u1, u5, 0x20);
        o2 = Avx.Permute2x128(u2, u6, 0x20);
        o3 = Avx.Permute2x128(u3, u7, 0x20);
        o4 = Avx.Permute2x128(u0, u4, 0x31);
        o5 = Avx.Permute2x128(u1, u5, 0x31);
        o6 = Avx.Permute2x128(u2, u6, 0x31);
        o7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary><c>dst[q·dstStride + i] = src[i·srcStride + q]</c> for i, q &lt; 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Load(src, srcStride, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(dst, o0);
        Avx.Store(dst + dstStride, o1);
        Avx.Store(dst + 2 * dstStride, o2);
        Avx.Store(dst + 3 * dstStride, o3);
        Avx.Store(dst + 4 * dstStride, o4);
        Avx.Store(dst + 5 * dstStride, o5);
        Avx.Store(dst + 6 * dstStride, o6);
        Avx.Store(dst + 7 * dstStride, o7);
    }
}
