using BenchmarkDotNet.Attributes;
using Mlp.Kernels;

namespace Mlp.Benchmarks;

/// <summary>The GEMM on the lesson's shapes, on each SIMD path.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];

    public static IEnumerable<GemmShape> Shapes => GemmShapes.All.Take(7);

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShapes.All[0];

    [Params("Auto", "Vector512", "Vector256")]
    public string Path { get; set; } = "Auto";

    [GlobalSetup]
    public void Setup() => (a, b, c) = Shape.Allocate();

    [Benchmark]
    public void Multiply() => Gemm.Multiply(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K, a, b, c, [], new KernelOptions(Enum.Parse<SimdPath>(Path)));
}

/// <summary>The scalar path (the specification) beside the vector one, on the batch-64 shapes only: it runs at ~2 GFLOP/s.</summary>
[MemoryDiagnoser]
public class GemmScalarBenchmarks
{
    private float[] a = [], b = [], c = [];

    public static IEnumerable<GemmShape> Shapes => GemmShapes.All.Where(s => s.M * (long)s.N * s.K < 10_000_000);

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShapes.All[4];

    [Params("Scalar", "Auto")]
    public string Path { get; set; } = "Scalar";

    [GlobalSetup]
    public void Setup() => (a, b, c) = Shape.Allocate();

    [Benchmark]
    public void Multiply() => Gemm.Multiply(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K, a, b, c, [], new KernelOptions(Enum.Parse<SimdPath>(Path)));
}
