using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>What a safetensors file holds: named float32 tensors, in file order, int64 tensors, and its string metadata.</summary>
/// <param name="Tensors">The float32 tensors, exactly as stored (no layout conversion).</param>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
public sealed record SafeTensorsContent(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The int64 (<c>I64</c>) tensors, e.g. BatchNorm's <c>num_batches_tracked</c>; empty when there are none.</summary>
    public IReadOnlyList<NamedInt64Tensor> Int64Tensors { get; init; } = [];
}

/// <summary>A named int64 tensor (safetensors dtype <c>I64</c>; PyTorch: <c>torch.int64</c>), e.g. a 0-dimensional count.</summary>
/// <param name="Name">Its <c>state_dict</c> name, e.g. <c>1.num_batches_tracked</c>.</param>
/// <param name="Shape">Its shape; empty for a scalar.</param>
/// <param name="Values">Its values, row-major.</param>
public sealed record NamedInt64Tensor(string Name, IReadOnlyList<int> Shape, IReadOnlyList<long> Values);
