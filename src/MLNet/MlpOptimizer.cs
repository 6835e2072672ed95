namespace Mlp.MLNet;

/// <summary>The optimizer <see cref="MlpMulticlassTrainer"/> trains with.</summary>
public enum MlpOptimizer
{
    /// <summary>Adam (PyTorch: <c>torch.optim.Adam</c>, β = (0.9, 0.999), ε = 1e-8).</summary>
    Adam,

    /// <summary>SGD with optional momentum (PyTorch: <c>torch.optim.SGD</c>).</summary>
    Sgd,
}
