using Mlp.Models;

namespace Mlp.Optim;

/// <summary>
/// An optimizer as a pure function <c>(params, grads, state) → (params', state')</c> (JAX/optax style).
/// PyTorch: <c>torch.optim.Optimizer</c>, without mutation: nothing passed in is changed.
/// </summary>
public interface IOptimizer
{
    /// <summary>A readable description with hyper-parameters, e.g. <c>SGD(lr=0.1, momentum=0.9)</c>.</summary>
    string Name { get; }

    /// <summary>The learning rate.</summary>
    float LearningRate { get; }

    /// <summary>The same optimizer with another learning rate (used by learning-rate schedules); the state carries over unchanged.</summary>
    IOptimizer WithLearningRate(float learningRate);

    /// <summary>The state before the first step, for these parameters.</summary>
    OptimizerState Init(Parameters parameters);

    /// <summary>One update.</summary>
    /// <param name="parameters">Current parameters.</param>
    /// <param name="grads">Their gradients: same names, order and shapes.</param>
    /// <param name="state">The state from <see cref="Init"/> or the previous step.</param>
    /// <exception cref="ArgumentException">The gradients or state do not match the parameters; the message names the tensor.</exception>
    OptimizerStep Step(Parameters parameters, Parameters grads, OptimizerState state);
}
