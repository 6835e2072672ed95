using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>What a safetensors file holds: named float32 tensors, in file order, and its string metadata.</summary>
/// <param name="Tensors">The tensors, exactly as stored (no layout conversion).</param>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
public sealed record SafeTensorsContent(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata);
