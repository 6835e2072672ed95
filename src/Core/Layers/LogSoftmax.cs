namespace Mlp;

/// <summary>
/// Row-wise log-softmax: <c>y[i, j] = x[i, j] − logsumexp(x[i, :])</c>. PyTorch: <c>F.log_softmax(x, dim=1)</c>.
/// </summary>
/// <remarks>
/// Stable for any finite logits: the logsumexp is <see cref="Softmax"/>'s, whose probabilities the backward reuses.
/// </remarks>
public static class LogSoftmax
{
    /// <summary>Computes the log-probabilities and the backward closure <c>dy ↦ dy − softmax(x) · Σ_j dy[:, j]</c>.</summary>
    /// <param name="x">(n, c) logits, one row per example.</param>
    /// <returns>(n, c) log-probabilities and their vjp.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D.</exception>
    public static Vjp<Tensor> Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
            throw new ArgumentException($"LogSoftmax needs (n, c) logits; got {Tensor.ShapeString(x.Dims)}.", nameof(x));
        int n = x.Dims[0], c = x.Dims[1];
        var y = Storage.Zeroed(x.Length);
        var probs = Storage.Uninitialized(x.Length);                                 // softmax(x), kept for backward (all written)
        var lse = new float[n];
        Softmax.RowsInto(x.Data, n, c, probs, lse);
        for (int i = 0; i < n; i++)
        {
            var row = x.Data.AsSpan(i * c, c);
            var dst = y.AsSpan(i * c, c);
            for (int j = 0; j < c; j++) dst[j] = row[j] - lse[i];
        }
        var output = new Tensor(y, [n, c]);
        return new(output, dy =>
        {
            output.RequireSameShape(dy, "LogSoftmax backward: output and dy");
            var dx = Storage.Zeroed(y.Length);
            for (int i = 0; i < n; i++)
            {
                var g = dy.Data.AsSpan(i * c, c);
                double sum = 0;
                foreach (float v in g) sum += v;
                for (int j = 0; j < c; j++)
                    dx[i * c + j] = (float)(g[j] - probs[i * c + j] * sum);      // ∂y_k/∂x_j = δ_kj − softmax_j
            }
            return new Tensor(dx, [n, c]);
        });
    }
}
