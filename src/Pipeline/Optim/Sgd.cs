using System.Globalization;
using Mlp.Models;

namespace Mlp.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, step for step as
/// PyTorch's <c>torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)</c>:
/// <code>
/// g ← g + weight_decay·p
/// b ← g on the first step, else momentum·b + (1 − dampening)·g      (only when momentum ≠ 0)
/// g ← g + momentum·b if nesterov, else b
/// p ← p − lr·g
/// </code>
/// </summary>
/// <param name="LearningRate">The learning rate, &gt; 0.</param>
public sealed record Sgd(float LearningRate) : IOptimizer
{
    /// <summary>Momentum factor (default 0: plain SGD).</summary>
    public float Momentum { get; init; }

    /// <summary>Dampening for momentum (default 0).</summary>
    public float Dampening { get; init; }

    /// <summary>Use Nesterov momentum (needs momentum &gt; 0 and dampening 0, as in PyTorch).</summary>
    public bool Nesterov { get; init; }

    /// <summary>L2 penalty added to the gradient (default 0).</summary>
    public float WeightDecay { get; init; }

    /// <summary>The momentum buffer's name in the state, as in PyTorch.</summary>
    public const string MomentumBuffer = "momentum_buffer";

    /// <inheritdoc/>
    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"SGD(lr={LearningRate}{(Momentum != 0 ? $", momentum={Momentum}" : "")}{(Dampening != 0 ? $", dampening={Dampening}" : "")}{(Nesterov ? ", nesterov" : "")}{(WeightDecay != 0 ? $", weight_decay={WeightDecay}" : "")})");

    /// <inheritdoc/>
    public IOptimizer WithLearningRate(float learningRate) => this with { LearningRate = learningRate };

    /// <inheritdoc/>
    public OptimizerState Init(Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate();
        return Momentum == 0 ? new OptimizerState(0, []) : new OptimizerState(0, [new(MomentumBuffer, parameters.ZerosLike())]);
    }

    /// <inheritdoc/>
    public OptimizerStep Step(Parameters parameters, Parameters grads, OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(grads);
        ArgumentNullException.ThrowIfNull(state);
        Validate();
        parameters.RequireSameLayout(grads, "SGD gradients");
        Parameters? buffers = Momentum == 0 ? null : state.Buffer(MomentumBuffer);
        if (buffers != null) parameters.RequireSameLayout(buffers, "SGD momentum buffer");

        var newParams = new NamedTensor[parameters.Count];
        var newBuffers = buffers == null ? null : new NamedTensor[parameters.Count];
        bool first = state.Step == 0;
        float lr = LearningRate, wd = WeightDecay, mu = Momentum, damp = 1 - Dampening;
        for (int t = 0; t < parameters.Count; t++)
        {
            var p = parameters[t].Value.AsSpan();
            var g = grads[t].Value.AsSpan();
            var pOut = Storage.Uninitialized(p.Length); // every element is written below
            float[]? bOut = null;
            if (buffers == null && wd == 0)
            {
                // Plain SGD, vectorized: g·(−lr) + p is bit for bit p − lr·g (negation is exact; not fused).
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, -lr, p, pOut);
            }
            else if (buffers == null)
            {
                for (int i = 0; i < p.Length; i++) pOut[i] = p[i] - lr * (g[i] + wd * p[i]);
            }
            else
            {
                var b = buffers[t].Value.AsSpan();
                bOut = Storage.Uninitialized(p.Length); // every element is written below
                for (int i = 0; i < p.Length; i++)
                {
                    float gi = wd != 0 ? g[i] + wd * p[i] : g[i];
                    float bi = first ? gi : mu * b[i] + damp * gi;
                    bOut[i] = bi;
                    float step = Nesterov ? gi + mu * bi : bi;
                    pOut[i] = p[i] - lr * step;
                }
            }
            int[] shape = parameters[t].Value.ShapeArray();
            newParams[t] = new NamedTensor(parameters[t].Name, new Tensor(pOut, shape));
            if (newBuffers != null) newBuffers[t] = new NamedTensor(parameters[t].Name, new Tensor(bOut!, shape));
        }
        var newState = newBuffers == null
            ? new OptimizerState(state.Step + 1, [])
            : new OptimizerState(state.Step + 1, [new(MomentumBuffer, Parameters.From(newBuffers))]);
        return new OptimizerStep(Parameters.From(newParams), newState);
    }

    private void Validate()
    {
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentException($"SGD: lr must be a positive number; got {LearningRate}.");
        if (Momentum < 0 || WeightDecay < 0) throw new ArgumentException($"SGD: momentum ({Momentum}) and weight decay ({WeightDecay}) must be ≥ 0.");
        if (Nesterov && (Momentum <= 0 || Dampening != 0)) throw new ArgumentException("SGD: Nesterov momentum needs momentum > 0 and zero dampening.");
    }
}
