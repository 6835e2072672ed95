namespace Mlp;

/// <summary>
/// Batch normalization over the rows of an (n, c) input: <c>y = γ·(x − μ)/√(σ² + eps) + β</c> per column.
/// PyTorch: <c>nn.BatchNorm1d(c, eps, momentum, affine)</c> on 2-D input.
/// </summary>
/// <remarks>
/// <para>Training (<see cref="Train"/>) normalizes with the batch's mean and <b>biased</b> variance and returns the new
/// running statistics, updated with the <b>unbiased</b> variance: <c>r ← (1 − m)·r + m·batch</c> (m = momentum, or
/// 1/num_batches_tracked when momentum is null, PyTorch's cumulative average). Evaluation (<see cref="Eval"/>)
/// normalizes with the running statistics. Nothing is mutated: statistics are values in, values out.</para>
/// <para>Sums and the normalization run in double per element; the result is rounded once to float32.</para>
/// </remarks>
public static class BatchNorm1d
{
    /// <summary>PyTorch's default eps, 1e-5.</summary>
    public const double DefaultEps = 1e-5;

    /// <summary>PyTorch's default momentum, 0.1.</summary>
    public const double DefaultMomentum = 0.1;

    /// <summary>The running statistics (PyTorch buffers <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>).</summary>
    /// <param name="RunningMean">(c) running mean; PyTorch starts it at 0.</param>
    /// <param name="RunningVar">(c) running (unbiased) variance; PyTorch starts it at 1.</param>
    /// <param name="NumBatchesTracked">Training batches seen (int64 in PyTorch).</param>
    public sealed record Stats(Tensor RunningMean, Tensor RunningVar, long NumBatchesTracked)
    {
        /// <summary>PyTorch's initial statistics for <paramref name="features"/> columns: mean 0, variance 1, count 0.</summary>
        public static Stats Initial(int features) => new(Tensor.Zeros(features), Tensor.Ones(features), 0);
    }

    /// <summary>The gradients with respect to the input and, when affine, the weight γ and bias β.</summary>
    /// <param name="Dx">(n, c).</param>
    /// <param name="Dweight">(c) <c>Σ_rows dy ⊙ x̂</c>, or null without affine parameters.</param>
    /// <param name="Dbias">(c) <c>Σ_rows dy</c>, or null without affine parameters.</param>
    public readonly record struct Grads(Tensor Dx, Tensor? Dweight, Tensor? Dbias);

    /// <summary>A training step's output and backward, and the running statistics after this batch.</summary>
    public readonly record struct TrainResult(Vjp<Grads> Vjp, Stats Stats);

    /// <summary>Training mode: normalizes with batch statistics and returns the updated running statistics.</summary>
    /// <param name="x">(n, c) input, n ≥ 2.</param>
    /// <param name="weight">(c) γ, or null (affine=False).</param>
    /// <param name="bias">(c) β, or null (affine=False); null exactly when <paramref name="weight"/> is.</param>
    /// <param name="stats">The running statistics before this batch.</param>
    /// <param name="momentum">In [0, 1], or null for the cumulative average.</param>
    /// <param name="eps">Added to the variance, ≥ 0.</param>
    /// <exception cref="ArgumentException">A shape does not fit (the message names them all), n &lt; 2, or momentum/eps is out of range.</exception>
    public static TrainResult Train(Tensor x, Tensor? weight, Tensor? bias, Stats stats, double? momentum, double eps)
    {
        var (n, c) = Check(x, weight, bias, stats, eps);
        if (n < 2)
            throw new ArgumentException($"BatchNorm1d in training needs more than one row per column to compute a variance; got x {Tensor.ShapeString(x.Shape)}.", nameof(x));
        if (momentum is { } mo && !(mo >= 0 && mo <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d momentum must be in [0, 1] or null; got {mo}.");
        var xs = x.AsSpan();
        double[] mean = new double[c], variance = new double[c];
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) mean[j] += xs[i * c + j];
        for (int j = 0; j < c; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) { double d = xs[i * c + j] - mean[j]; variance[j] += d * d; }
        for (int j = 0; j < c; j++) variance[j] /= n;                                      // biased: normalizes the batch
        long tracked = stats.NumBatchesTracked + 1;
        double m = momentum ?? 1.0 / tracked;
        var rm = stats.RunningMean.AsSpan();
        var rv = stats.RunningVar.AsSpan();
        var newMean = new float[c];
        var newVar = new float[c];
        for (int j = 0; j < c; j++)
        {
            newMean[j] = (float)((1 - m) * rm[j] + m * mean[j]);
            newVar[j] = (float)((1 - m) * rv[j] + m * variance[j] * n / (n - 1));         // unbiased: updates the running estimate
        }
        var vjp = Normalize(x, weight, bias, mean, variance, eps, batchStatistics: true);
        return new(vjp, new Stats(Tensor.FromVector(newMean), Tensor.FromVector(newVar), tracked));
    }

    /// <summary>Evaluation mode: normalizes with the running statistics (which get no gradient).</summary>
    /// <exception cref="ArgumentException">A shape does not fit (the message names them all) or eps is negative.</exception>
    public static Vjp<Grads> Eval(Tensor x, Tensor? weight, Tensor? bias, Stats stats, double eps)
    {
        var (_, c) = Check(x, weight, bias, stats, eps);
        double[] mean = new double[c], variance = new double[c];
        for (int j = 0; j < c; j++) { mean[j] = stats.RunningMean[j]; variance[j] = stats.RunningVar[j]; }
        return Normalize(x, weight, bias, mean, variance, eps, batchStatistics: false);
    }

    private static Vjp<Grads> Normalize(Tensor x, Tensor? weight, Tensor? bias, double[] mean, double[] variance, double eps, bool batchStatistics)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var invStd = new double[c];
        var gamma = new double[c];
        for (int j = 0; j < c; j++) { invStd[j] = 1 / Math.Sqrt(variance[j] + eps); gamma[j] = weight is null ? 1 : weight[j]; }
        var xs = x.AsSpan();
        var xHat = new double[n * c];
        var y = Storage.Zeroed(n * c);
        for (int i = 0, k = 0; i < n; i++)
            for (int j = 0; j < c; j++, k++)
            {
                xHat[k] = (xs[k] - mean[j]) * invStd[j];
                y[k] = (float)(gamma[j] * xHat[k] + (bias is null ? 0 : bias[j]));
            }
        return new(Tensor.FromArray(y, n, c), dy =>
        {
            x.RequireSameShape(dy, "BatchNorm1d backward: x and dy");
            var g = dy.AsSpan();
            double[] sumDy = new double[c], sumDyXHat = new double[c];
            for (int k = 0; k < n * c; k++) { sumDy[k % c] += g[k]; sumDyXHat[k % c] += g[k] * xHat[k]; }
            var dx = Storage.Zeroed(n * c);
            for (int k = 0; k < n * c; k++)
            {
                int j = k % c;
                dx[k] = (float)(gamma[j] * invStd[j] * (batchStatistics
                    ? g[k] - sumDy[j] / n - xHat[k] * sumDyXHat[j] / n   // μ and σ² depend on x: dx = γ/σ·(dy − mean(dy) − x̂·mean(dy⊙x̂))
                    : g[k]));                                            // constants: dx = γ/σ·dy
            }
            return weight is null
                ? new Grads(Tensor.FromArray(dx, n, c), null, null)
                : new Grads(Tensor.FromArray(dx, n, c), Tensor.FromVector(ToFloat(sumDyXHat)), Tensor.FromVector(ToFloat(sumDy))); // dγ = Σ dy⊙x̂, dβ = Σ dy
        });
    }

    private static float[] ToFloat(double[] v) => Array.ConvertAll(v, d => (float)d);

    private static (int N, int C) Check(Tensor x, Tensor? weight, Tensor? bias, Stats stats, double eps)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(stats);
        int c = x.Rank == 2 ? x.Shape[1] : -1;
        bool Fits(Tensor? t) => t is not null && t.Rank == 1 && t.Shape[0] == c;
        if (c < 0 || (weight is null) != (bias is null) || (weight is not null && (!Fits(weight) || !Fits(bias)))
            || !Fits(stats.RunningMean) || !Fits(stats.RunningVar))
            throw new ArgumentException(
                $"BatchNorm1d needs x (n, c) and weight, bias, running_mean, running_var all (c) (weight and bias both or neither); got x {Tensor.ShapeString(x.Shape)}, " +
                $"weight {Describe(weight)}, bias {Describe(bias)}, running_mean {Describe(stats.RunningMean)}, running_var {Describe(stats.RunningVar)}.");
        if (!(eps >= 0))
            throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm1d eps must be ≥ 0; got {eps}.");
        return (x.Shape[0], c);
    }

    private static string Describe(Tensor? t) => t is null ? "none" : Tensor.ShapeString(t.Shape);
}
