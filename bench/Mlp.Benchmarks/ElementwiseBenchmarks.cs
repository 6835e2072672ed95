using BenchmarkDotNet.Attributes;

namespace Mlp.Benchmarks;

/// <summary>The element-wise work of the lesson's passes on the hidden activations (50000 × 50).</summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private Tensor h = Tensor.Zeros(1), dy = Tensor.Zeros(1), bias = Tensor.Zeros(1);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        h = rng.Normal(50000, 50);
        dy = rng.Normal(50000, 50);
        bias = rng.Normal(50);
    }

    [Benchmark]
    public Tensor ReluForward() => Relu.Forward(h).Output;

    [Benchmark]
    public Tensor ReluBackward() => Relu.Forward(h).Backward(dy);

    [Benchmark]
    public Tensor AddBiasBroadcast() => h + bias;

    [Benchmark]
    public Tensor SumRows() => Ops.SumRows(dy);
}
