using System.Numerics.Tensors;

namespace Mlp.Kernels;

/// <summary>
/// The one matrix-product kernel: <c>C = op(A)·op(B)</c>, with <c>op</c> the identity or the transpose,
/// so <c>xᵀ·dy</c> and <c>dy·wᵀ</c> never materialize a transposed operand visible to callers.
/// </summary>
/// <remarks>
/// Row-major throughout. A is (m, k) or, transposed, stored as (k, m); B is (k, n) or, transposed, stored as (n, k).
/// Work is split over fixed row ranges (never by thread timing), so results are bitwise repeatable.
/// </remarks>
internal static class Gemm
{
    private const long ParallelThreshold = 1 << 18; // multiply-adds below which threads cost more than they save

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c)
    {
        Array.Clear(c, 0, m * n);
        if (m == 0 || n == 0 || k == 0) return;
        if (transB)
        {
            // dy·wᵀ: w is small (n×k); transposing it once turns every row into a stream of axpys.
            var bt = new float[k * n];
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    bt[p * n + j] = b[j * k + p];
            b = bt;
        }
        if (!transA) RowsTimesB(m, n, k, a, b, c);
        else ATransposedTimesB(m, n, k, a, b, c);
    }

    // C[i,:] = Σ_p A[i,p]·B[p,:]
    private static void RowsTimesB(int m, int n, int k, float[] a, float[] b, float[] c)
    {
        void Rows(int i0, int i1)
        {
            for (int i = i0; i < i1; i++)
            {
                var ci = c.AsSpan(i * n, n);
                for (int p = 0; p < k; p++)
                {
                    float aip = a[i * k + p];
                    if (aip != 0f) TensorPrimitives.MultiplyAdd(b.AsSpan(p * n, n), aip, ci, ci);
                }
            }
        }
        RunRanges(m, (long)m * n * k, Rows);
    }

    // C = Aᵀ·B with A stored (k, m): C[i,:] = Σ_p A[p,i]·B[p,:]. Each worker sums a fixed slice of p into
    // its own partial C; partials are added in slice order, so the result does not depend on timing.
    private static void ATransposedTimesB(int m, int n, int k, float[] a, float[] b, float[] c)
    {
        int workers = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount, Math.Max(1, k / 64));
        var partials = new float[workers][];
        int per = (k + workers - 1) / workers;
        Parallel.For(0, workers, w =>
        {
            var part = workers == 1 ? c : new float[m * n];
            int p0 = w * per, p1 = Math.Min(k, p0 + per);
            for (int p = p0; p < p1; p++)
            {
                var bp = b.AsSpan(p * n, n);
                for (int i = 0; i < m; i++)
                {
                    float api = a[p * m + i];
                    if (api != 0f)
                    {
                        var ci = part.AsSpan(i * n, n);
                        TensorPrimitives.MultiplyAdd(bp, api, ci, ci);
                    }
                }
            }
            partials[w] = part;
        });
        if (workers > 1)
            foreach (var part in partials) TensorPrimitives.Add(c, part, c);
    }

    private static void RunRanges(int rows, long work, Action<int, int> body)
    {
        if (work < ParallelThreshold || rows < 2) { body(0, rows); return; }
        int parts = Math.Min(rows, Environment.ProcessorCount * 4);
        int per = (rows + parts - 1) / parts;
        Parallel.For(0, parts, t =>
        {
            int i0 = t * per, i1 = Math.Min(rows, i0 + per);
            if (i0 < i1) body(i0, i1);
        });
    }
}
