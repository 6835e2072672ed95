namespace Mlp.Models;

/// <summary>
/// A layer's buffers (PyTorch: <c>register_buffer</c>): state that is not trained by gradient but that a training
/// forward returns updated, such as BatchNorm1d's running statistics. Float buffers are tensors in
/// <see cref="Layer.BufferSpecs"/> order; int64 buffers (PyTorch's <c>num_batches_tracked</c>) are counts in
/// <see cref="Layer.CountNames"/> order.
/// </summary>
/// <param name="Tensors">Float32 buffers, in <see cref="Layer.BufferSpecs"/> order and shapes.</param>
/// <param name="Counts">Int64 scalar buffers, in <see cref="Layer.CountNames"/> order.</param>
public sealed record LayerState(IReadOnlyList<Tensor> Tensors, IReadOnlyList<long> Counts)
{
    /// <summary>No buffers: the state of every layer without any.</summary>
    public static LayerState Empty { get; } = new([], []);
}

/// <summary>What a layer's forward returns: its output node and its buffers after the forward.</summary>
/// <param name="Output">The output node.</param>
/// <param name="State">The buffers after this forward: updated in training, the same values in evaluation.</param>
public readonly record struct LayerOutput(Node Output, LayerState State);

/// <summary>What a model's forward returns: its output node and all buffers after the forward.</summary>
/// <param name="Output">The output node.</param>
/// <param name="Buffers">The model's buffers after this forward: updated in training, unchanged in evaluation.</param>
public readonly record struct ModelOutput(Node Output, Buffers Buffers);
