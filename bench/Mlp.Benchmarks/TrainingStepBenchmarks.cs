using BenchmarkDotNet.Attributes;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.Benchmarks;

/// <summary>One training step of row (f): 784 → 50 → 10, cross-entropy, SGD lr 0.1, a batch of 64 rows.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private readonly Model model = Model.Perceptron(784, [50], 10);
    private readonly Sgd sgd = new(0.1f);
    private Parameters parameters = Parameters.Empty;
    private OptimizerState state = null!;
    private Tensor x = Tensor.Zeros(1);
    private int[] labels = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(3);
        parameters = model.Init(3);
        state = sgd.Init(parameters);
        x = rng.Normal(64, 784);
        labels = Enumerable.Range(0, 64).Select(i => rng.NextInt(10)).ToArray();
    }

    [Benchmark]
    public StepResult Step() => Trainer.Step(model, sgd, Loss.CrossEntropy, parameters, state, x, labels);
}
