using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Kernels;

/// <summary>Software prefetch of rows of floats, for the GEMM's streamed operands and a shuffled batch's rows.</summary>
internal static unsafe class Prefetch
{
    /// <summary>
    /// Asks for every cache line of <paramref name="rows"/> rows of <paramref name="floats"/> floats, <paramref name="stride"/>
    /// floats apart, into L1 (or into L2 only); nothing where the CPU has no such instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows(float* first, nint stride, int rows, int floats, bool toL1)
    {
        int bytes = floats * sizeof(float);
        if (!Sse.IsSupported || bytes <= 0) return;
        for (int r = 0; r < rows; r++)
        {
            byte* row = (byte*)(first + r * stride);
            for (int off = 0; off < bytes; off += 64)
                if (toL1) Sse.Prefetch0(row + off); else Sse.Prefetch1(row + off);
            if (toL1) Sse.Prefetch0(row + bytes - 1); else Sse.Prefetch1(row + bytes - 1);
        }
    }
}
