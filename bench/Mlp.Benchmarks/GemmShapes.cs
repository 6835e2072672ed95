namespace Mlp.Benchmarks;

/// <summary>The matrix products of the lesson's workload, named by the layer step they serve.</summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    public double Flops => 2.0 * M * N * K;

    public (float[] A, float[] B, float[] C) Allocate()
    {
        var rng = new Random(42);
        float[] Fill(long n) { var x = new float[n]; for (long i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1); return x; }
        return (Fill((long)M * K), Fill((long)K * N), new float[(long)M * N]);
    }

    public override string ToString() => $"{Name} {(TransA ? "ᵀ" : "")}{M}×{K}·{K}×{N}{(TransB ? "ᵀ" : "")}";
}

public static class GemmShapes
{
    public static readonly GemmShape[] All =
    [
        new("x·w1", false, false, 50000, 50, 784),
        new("xᵀ·dy1", true, false, 784, 50, 50000),
        new("dy1·w1ᵀ", false, true, 50000, 784, 50),
        new("xv·w1", false, false, 10000, 50, 784),
        new("xb·w1 (batch 64)", false, false, 64, 50, 784),
        new("xbᵀ·dy (batch 64)", true, false, 784, 50, 64),
        new("h·w2 (batch 64)", false, false, 64, 10, 50),
        new("in-cache x·w", false, false, 256, 50, 784),
        new("in-cache n=96", false, false, 256, 96, 256),
        new("in-cache n=64", false, false, 256, 64, 256),
        new("in-cache xᵀ·dy", true, false, 784, 50, 1024),
        new("in-cache dy·wᵀ", false, true, 256, 784, 50),
    ];
}
