using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlp.Kernels;

/// <summary>
/// e^x in double for the shifted logits of a softmax (x ≤ 0), computed with the same operations in every lane of every path
/// (scalar, Vector256 or none), so the result's bits do not depend on the CPU, the SIMD width or the C library.
/// </summary>
/// <remarks>
/// <para>Range reduction x = n·ln 2 + r with n = round(x / ln 2) (rounded by adding 1.5·2⁵²) and |r| ≤ ln 2 / 2 (ln 2 split in
/// two parts, fdlibm's, subtracted with fused multiply-adds), then e^r by its Taylor series to r¹³ (truncation below 5·10⁻¹⁸)
/// in Horner form with fused multiply-adds, and the scale 2ⁿ built in the exponent bits. Against glibc 2.36's <c>exp</c> on
/// 5 million points of [−708, 0] (<c>Mlp.Benchmarks --exp-ulps</c>): 6 % differ, each by 1 ulp, and none of their float
/// roundings differ (ExpKernelTests holds it within 2 ulps of whatever C library it runs on).</para>
/// <para>Below −708, about where e^x leaves the normal doubles (e^−708 ≈ 3.3·10⁻³⁰⁸), it returns 0: no float is that small, and added to
/// a softmax's sum, which is at least 1, it changes nothing. NaN stays NaN. Meant for x ≤ 0: from 709.78 up e^x overflows,
/// which this does not handle.</para>
/// <para>Why not <see cref="Math.Exp(double)"/>: it calls the C library once per element (640 calls took 2.4 µs of a batch-64
/// step on Zen 5, more than a tenth of everything around its two large products); this runs four at a time. And C libraries
/// round their exp differently, so a model trained on another system's library could differ in its last bits.</para>
/// </remarks>
internal static class ExpKernel
{
    private const double Log2E = 1.4426950408889634;            // 1 / ln 2
    private const double Ln2Hi = 6.93147180369123816490e-01;    // ln 2, high part (0x3FE62E42FEE00000: n·Ln2Hi is exact)
    private const double Ln2Lo = 1.90821492927058770002e-10;    // ln 2 − Ln2Hi
    private const double Shifter = 6755399441055744.0;          // 1.5·2⁵²: x/ln 2 + Shifter holds round(x/ln 2) in its low bits
    private const long ShifterBits = 0x4338000000000000;        // its bits
    private const double Lowest = -708.0;

    // 1/k!, k = 0..13 (k! is exact in double, so each is the correctly rounded quotient).
    private const double C2 = 1.0 / 2, C3 = 1.0 / 6, C4 = 1.0 / 24, C5 = 1.0 / 120, C6 = 1.0 / 720, C7 = 1.0 / 5040,
        C8 = 1.0 / 40320, C9 = 1.0 / 362880, C10 = 1.0 / 3628800, C11 = 1.0 / 39916800, C12 = 1.0 / 479001600,
        C13 = 1.0 / 6227020800;

    /// <summary>e^<paramref name="x"/> for x ≤ 0 (0 below −708, NaN for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exp(double x)
    {
        double t = Math.FusedMultiplyAdd(x, Log2E, Shifter);
        double n = t - Shifter;
        double r = Math.FusedMultiplyAdd(-n, Ln2Hi, x);
        r = Math.FusedMultiplyAdd(-n, Ln2Lo, r);
        double p = Math.FusedMultiplyAdd(C13, r, C12);
        p = Math.FusedMultiplyAdd(p, r, C11);
        p = Math.FusedMultiplyAdd(p, r, C10);
        p = Math.FusedMultiplyAdd(p, r, C9);
        p = Math.FusedMultiplyAdd(p, r, C8);
        p = Math.FusedMultiplyAdd(p, r, C7);
        p = Math.FusedMultiplyAdd(p, r, C6);
        p = Math.FusedMultiplyAdd(p, r, C5);
        p = Math.FusedMultiplyAdd(p, r, C4);
        p = Math.FusedMultiplyAdd(p, r, C3);
        p = Math.FusedMultiplyAdd(p, r, C2);
        p = Math.FusedMultiplyAdd(p, r, 1.0);
        p = Math.FusedMultiplyAdd(p, r, 1.0);
        double y = p * BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(t) - ShifterBits + 1023) << 52);
        return x >= Lowest ? y : double.IsNaN(x) ? x : 0;
    }

    /// <summary><see cref="Exp(double)"/> in each lane: the same operations, so the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x)
    {
        var t = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(Shifter));
        var n = t - Vector256.Create(Shifter);
        var r = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C13), r, Vector256.Create(C12));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C11));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C10));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C9));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        var scale = Vector256.ShiftLeft(t.AsInt64() - Vector256.Create(ShifterBits - 1023), 52).AsDouble();
        var y = p * scale;
        var below = Vector256.ConditionalSelect(Vector256.Equals(x, x), Vector256<double>.Zero, x);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(Lowest)), y, below);
    }
}
