using System.Globalization;

namespace Mlp.Models;

public sealed partial class Layer
{
    /// <summary>
    /// Dropout (<see cref="Mlp.Dropout"/>): in training each element is zeroed with probability <paramref name="p"/> and
    /// the rest scaled by 1/(1 − p), the keep pattern drawn from the forward's seed (<see cref="ForwardMode.Seed"/>); in
    /// evaluation the identity. PyTorch: <c>nn.Dropout(p)</c>.
    /// </summary>
    /// <param name="p">The drop probability, in [0, 1] (PyTorch's default 0.5).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static Layer Dropout(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1]; got {p}.");
        return new Layer($"Dropout({Py(p)})", [], _ => [], (t, x, _, s, mode) =>
        {
            var (y, back) = mode.IsTraining ? Mlp.Dropout.Train(x.Value, p, mode.Rng()) : Mlp.Dropout.Eval(x.Value);
            return new LayerOutput(t.Record(y, [x], dy => [back(dy)]), s);
        }, builtIn: true)
        { DependsOnMode = true };
    }

    /// <summary>
    /// Batch normalization over the rows of (n, <paramref name="features"/>) input (<see cref="Mlp.BatchNorm1d"/>):
    /// in training the batch's mean and biased variance, returning running statistics updated with
    /// <paramref name="momentum"/>; in evaluation the running statistics. PyTorch: <c>nn.BatchNorm1d(features, eps, momentum, affine)</c>.
    /// </summary>
    /// <param name="features">Columns (PyTorch's <c>num_features</c>).</param>
    /// <param name="eps">Added to the variance, ≥ 0 (default 1e-5).</param>
    /// <param name="momentum">Weight of the new batch in the running statistics, in [0, 1], or null for the cumulative average (default 0.1).</param>
    /// <param name="affine">Learn a per-column scale <c>weight</c> (init 1) and shift <c>bias</c> (init 0) (default true).</param>
    /// <remarks>
    /// Parameters <c>weight</c>, <c>bias</c> (when affine); float buffers <c>running_mean</c> (init 0), <c>running_var</c>
    /// (init 1); int64 buffer <c>num_batches_tracked</c> — PyTorch's <c>state_dict</c> names. Training needs at least two rows.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static Layer BatchNorm1d(int features, double eps = Mlp.BatchNorm1d.DefaultEps, double? momentum = Mlp.BatchNorm1d.DefaultMomentum, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm1d: eps must be finite and ≥ 0; got {eps}.");
        if (momentum is { } m && !(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d: momentum must be in [0, 1] or None; got {m}.");
        var name = new List<string> { features.ToString(CultureInfo.InvariantCulture) };
        if (eps != Mlp.BatchNorm1d.DefaultEps) name.Add($"eps={Py(eps)}");
        if (momentum != Mlp.BatchNorm1d.DefaultMomentum) name.Add($"momentum={(momentum is { } mo ? Py(mo) : "None")}");
        if (!affine) name.Add("affine=False");
        ParameterSpec[] specs = affine ? [new("weight", [features], false), new("bias", [features], false)] : [];
        return new Layer($"BatchNorm1d({string.Join(", ", name)})", specs,
            _ => affine ? [Tensor.Ones(features), Tensor.Zeros(features)] : [],
            (t, x, p, s, mode) =>
            {
                var stats = new Mlp.BatchNorm1d.Stats(s.Tensors[0], s.Tensors[1], s.Counts[0]);
                Tensor? w = affine ? p[0].Value : null, b = affine ? p[1].Value : null;
                Vjp<Mlp.BatchNorm1d.Grads> vjp;
                if (mode.IsTraining)
                    (vjp, stats) = Mlp.BatchNorm1d.Train(x.Value, w, b, stats, momentum, eps);
                else
                    vjp = Mlp.BatchNorm1d.Eval(x.Value, w, b, stats, eps);
                var back = vjp.Backward;
                Node y = affine
                    ? t.Record(vjp.Output, [x, p[0], p[1]], dy => { var g = back(dy); return [g.Dx, g.Dweight, g.Dbias]; })
                    : t.Record(vjp.Output, [x], dy => [back(dy).Dx]);
                return new LayerOutput(y, new LayerState([stats.RunningMean, stats.RunningVar], [stats.NumBatchesTracked]));
            },
            builtIn: true,
            bufferSpecs: [new("running_mean", [features], false), new("running_var", [features], false)],
            countNames: ["num_batches_tracked"],
            initState: () =>
            {
                var s = Mlp.BatchNorm1d.Stats.Initial(features);
                return new LayerState([s.RunningMean, s.RunningVar], [s.NumBatchesTracked]);
            })
        { DependsOnMode = true, InputFeatures = features };
    }

    // A double as Python writes it (repr): 0.1, 1e-05, 0.5.
    private static string Py(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        return s.Contains('.') || s.Contains('e') ? s : s + ".0";
    }
}
