namespace Mlp.Numpy;

/// <summary>How far one of our tensors is from a reference (e.g. PyTorch's float64 result stored as float32).</summary>
/// <param name="Name">The tensor's name, e.g. <c>w1_grad</c>.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="MaxAbsError">max |ours − ref| over the elements (0 for an empty tensor).</param>
/// <param name="NormRelativeError">
/// ‖ours − ref‖ / ‖ref‖ (Frobenius norms, in double); when ‖ref‖ = 0 this is the absolute ‖ours − ref‖, so an
/// all-zero reference is matched only by (nearly) zeros.
/// </param>
public sealed record ReferenceError(string Name, IReadOnlyList<int> Shape, double MaxAbsError, double NormRelativeError)
{
    /// <summary>Compares <paramref name="ours"/> with <paramref name="reference"/> element by element, in double.</summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names the tensor and both shapes.</exception>
    public static ReferenceError Of(string name, Tensor ours, Tensor reference)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(reference);
        if (!ours.SameShape(reference))
            throw new ArgumentException($"{name}: ours has shape {Tensor.ShapeString(ours.Shape)} but the reference has {Tensor.ShapeString(reference.Shape)}.");
        var e = ErrorNorm.Of(ours, reference);
        return new ReferenceError(name, reference.ShapeArray(), e.MaxAbsError, e.NormRelativeError);
    }

    /// <summary>True when <see cref="NormRelativeError"/> is at most <paramref name="rtol"/> (false for NaN).</summary>
    public bool Within(double rtol) => NormRelativeError <= rtol;
}
