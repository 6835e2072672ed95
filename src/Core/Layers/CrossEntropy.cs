namespace Mlp;

/// <summary>
/// Cross-entropy of logits against integer class labels, averaged over rows:
/// <c>L = −(1/n) Σ_i log softmax(x)[i, label_i]</c>. PyTorch: <c>F.cross_entropy(logits, labels)</c>
/// (<c>reduction='mean'</c>), i.e. <c>F.nll_loss(F.log_softmax(logits, 1), labels)</c>.
/// </summary>
/// <remarks>
/// Stable via <see cref="Softmax"/>'s logsumexp. The gradient is the lesson's
/// <c>(softmax(x) − onehot(labels)) / n</c>, computed in one fused pass from the probabilities kept by the forward.
/// </remarks>
public static class CrossEntropy
{
    /// <summary>Computes the mean loss (a scalar) and its backward closure <c>dl ↦ dl · (softmax − onehot)/n</c>.</summary>
    /// <param name="logits">(n, c) unnormalized scores, n ≥ 1.</param>
    /// <param name="labels">n class indices, each in [0, c).</param>
    /// <returns>The scalar loss and its vjp, whose result is shaped like <paramref name="logits"/>.</returns>
    /// <exception cref="ArgumentException">
    /// The logits are not 2-D with at least one row, the label count differs from the row count, or a label is
    /// outside [0, c); the message names the shapes or the offending row.
    /// </exception>
    public static Vjp<Tensor> Forward(Tensor logits, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Rank != 2 || logits.Dims[0] == 0)
            throw new ArgumentException($"CrossEntropy needs (n, c) logits with n ≥ 1; got {Tensor.ShapeString(logits.Dims)}.", nameof(logits));
        int n = logits.Dims[0], c = logits.Dims[1];
        if (labels.Length != n)
            throw new ArgumentException($"CrossEntropy: logits {Tensor.ShapeString(logits.Dims)} have {n} rows but there are {labels.Length} labels.", nameof(labels));

        for (int i = 0; i < n; i++)
            if ((uint)labels[i] >= (uint)c)
                throw new ArgumentException($"CrossEntropy: label {labels[i]} of row {i} is outside [0, {c}) for logits {Tensor.ShapeString(logits.Dims)}.", nameof(labels));
        var probs = Storage.Uninitialized(logits.Length);                        // softmax, kept for backward (every element written)
        Span<float> lse = n > 1024 ? new float[n] : stackalloc float[n];
        Softmax.RowsInto(logits.Data, n, c, probs, lse);
        double total = 0;
        for (int i = 0; i < n; i++) total += (double)lse[i] - logits.Data[i * c + labels[i]];   // −log p[label] = lse − x[label]
        var copy = (int[])labels.Clone();
        return new(Tensor.Scalar((float)(total / n)), dl =>
        {
            float scale = dl.ToScalar() / n;
            var dx = Storage.Uninitialized(probs.Length);
            System.Numerics.Tensors.TensorPrimitives.Multiply(probs, scale, dx);  // each product rounded alone: the scalar bits
            for (int i = 0; i < n; i++) dx[i * c + copy[i]] -= scale;            // dx = dl · (softmax − onehot) / n
            return new Tensor(dx, [n, c]);
        });
    }
}
