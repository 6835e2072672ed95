using System.Globalization;
using Mlp.Models;

namespace Mlp.Optim;

/// <summary>
/// Adam (Kingma and Ba), step for step as PyTorch's <c>torch.optim.Adam(params, lr, betas, eps, weight_decay)</c>:
/// <code>
/// g ← g + weight_decay·p                 (L2 penalty, not AdamW)
/// m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
/// </code>
/// </summary>
/// <param name="LearningRate">The learning rate, &gt; 0 (PyTorch's default is 0.001).</param>
public sealed record Adam(float LearningRate) : IOptimizer
{
    /// <summary>β₁, the first-moment decay (default 0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β₂, the second-moment decay (default 0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Added to the denominator for stability (default 1e-8).</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>L2 penalty added to the gradient (default 0).</summary>
    public float WeightDecay { get; init; }

    /// <summary>The first-moment buffer's name in the state, as in PyTorch.</summary>
    public const string ExpAvg = "exp_avg";

    /// <summary>The second-moment buffer's name in the state, as in PyTorch.</summary>
    public const string ExpAvgSq = "exp_avg_sq";

    /// <inheritdoc/>
    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"Adam(lr={LearningRate}, betas=({Beta1}, {Beta2}), eps={Epsilon}{(WeightDecay != 0 ? $", weight_decay={WeightDecay}" : "")})");

    /// <inheritdoc/>
    public IOptimizer WithLearningRate(float learningRate) => this with { LearningRate = learningRate };

    /// <inheritdoc/>
    public OptimizerState Init(Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate();
        return new OptimizerState(0, [new(ExpAvg, parameters.ZerosLike()), new(ExpAvgSq, parameters.ZerosLike())]);
    }

    /// <inheritdoc/>
    public OptimizerStep Step(Parameters parameters, Parameters grads, OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(grads);
        ArgumentNullException.ThrowIfNull(state);
        Validate();
        parameters.RequireSameLayout(grads, "Adam gradients");
        Parameters m = state.Buffer(ExpAvg), v = state.Buffer(ExpAvgSq);
        parameters.RequireSameLayout(m, "Adam exp_avg");
        parameters.RequireSameLayout(v, "Adam exp_avg_sq");

        long t = state.Step + 1;
        // Bias corrections in double, as PyTorch computes them in Python floats.
        double bc1 = 1 - Math.Pow(Beta1, t), bc2 = 1 - Math.Pow(Beta2, t);
        float stepSize = (float)(LearningRate / bc1), bc2Sqrt = (float)Math.Sqrt(bc2);
        float b1 = Beta1, b2 = Beta2, c1 = 1 - Beta1, c2 = 1 - Beta2, eps = Epsilon, wd = WeightDecay;

        var np = new NamedTensor[parameters.Count];
        var nm = new NamedTensor[parameters.Count];
        var nv = new NamedTensor[parameters.Count];
        for (int k = 0; k < parameters.Count; k++)
        {
            var p = parameters[k].Value.AsSpan();
            var g = grads[k].Value.AsSpan();
            var mk = m[k].Value.AsSpan();
            var vk = v[k].Value.AsSpan();
            var pOut = Storage.Uninitialized(p.Length); // these three: every element is written below
            var mOut = Storage.Uninitialized(p.Length);
            var vOut = Storage.Uninitialized(p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                float gi = wd != 0 ? g[i] + wd * p[i] : g[i];
                float mi = mk[i] * b1 + c1 * gi;
                float vi = vk[i] * b2 + c2 * (gi * gi);
                mOut[i] = mi;
                vOut[i] = vi;
                float denom = MathF.Sqrt(vi) / bc2Sqrt + eps;
                pOut[i] = p[i] - stepSize * (mi / denom);
            }
            int[] shape = parameters[k].Value.ShapeArray();
            string name = parameters[k].Name;
            np[k] = new NamedTensor(name, new Tensor(pOut, shape));
            nm[k] = new NamedTensor(name, new Tensor(mOut, shape));
            nv[k] = new NamedTensor(name, new Tensor(vOut, shape));
        }
        return new OptimizerStep(Parameters.From(np),
            new OptimizerState(t, [new(ExpAvg, Parameters.From(nm)), new(ExpAvgSq, Parameters.From(nv))]));
    }

    private void Validate()
    {
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentException($"Adam: lr must be a positive number; got {LearningRate}.");
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"Adam: betas must be in [0, 1); got ({Beta1}, {Beta2}).");
        if (!(Epsilon >= 0) || WeightDecay < 0) throw new ArgumentException($"Adam: eps ({Epsilon}) and weight decay ({WeightDecay}) must be ≥ 0.");
    }
}
