namespace Mlp;

/// <summary>
/// The one place where "how far are these numbers from a reference" is computed, in double: the norm-relative
/// error ‖ours − ref‖ / ‖ref‖ (Frobenius norms) and the largest absolute difference. Add pairs one at a time.
/// </summary>
/// <remarks>
/// When ‖ref‖ = 0 the norm-relative error is the absolute ‖ours − ref‖, so an all-zero reference is matched only by
/// (nearly) zeros. A NaN on either side makes both numbers NaN, so a comparison against a tolerance fails.
/// </remarks>
public struct ErrorNorm
{
    private double diffSq, refSq, maxAbs;

    /// <summary>Adds one pair of values.</summary>
    public void Add(double ours, double reference)
    {
        double d = ours - reference;
        // NaN must fail the comparison, so it is carried into both numbers rather than lost by Math.Max.
        maxAbs = double.IsNaN(d) || double.IsNaN(maxAbs) ? double.NaN : Math.Max(maxAbs, Math.Abs(d));
        diffSq += d * d;
        refSq += reference * reference;
    }

    /// <summary>max |ours − ref| over the pairs added (0 for none).</summary>
    public readonly double MaxAbsError => maxAbs;

    /// <summary>‖ours − ref‖ / ‖ref‖, or ‖ours − ref‖ when ‖ref‖ = 0.</summary>
    public readonly double NormRelativeError => refSq > 0 ? Math.Sqrt(diffSq) / Math.Sqrt(refSq) : Math.Sqrt(diffSq);

    /// <summary>The errors of <paramref name="ours"/> against <paramref name="reference"/>, element by element.</summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names both.</exception>
    public static ErrorNorm Of(Tensor ours, Tensor reference)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(reference);
        if (!ours.SameShape(reference))
            throw new ArgumentException($"ours has shape {Tensor.ShapeString(ours.Shape)} but the reference has {Tensor.ShapeString(reference.Shape)}.");
        var e = new ErrorNorm();
        ReadOnlySpan<float> a = ours.AsSpan(), r = reference.AsSpan();
        for (int i = 0; i < a.Length; i++) e.Add(a[i], r[i]);
        return e;
    }
}
