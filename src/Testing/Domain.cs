namespace Mlp.Testing;

/// <summary>
/// The values a generated tensor may hold: multiples of a step within bounds, so that every value is exact in
/// float32 and a shrunk counterexample reads as <c>0.25</c> rather than <c>0.2437118</c>.
/// </summary>
/// <remarks>
/// Element-wise layers with a kink at 0 (relu, leaky relu) need <see cref="NonZero"/>: central finite differences
/// across a kink do not measure the derivative, and shrinking would otherwise drive values straight onto it.
/// </remarks>
public sealed class Domain
{
    private Domain(string name, int minStep, int maxStep, double step, bool excludeZero, char? classLetter)
    {
        Name = name;
        MinStep = minStep;
        MaxStep = maxStep;
        Step = step;
        ExcludeZero = excludeZero;
        ClassLetter = classLetter;
    }

    /// <summary>A readable name such as <c>any</c> or <c>labels(c)</c>.</summary>
    public string Name { get; }

    internal int MinStep { get; }
    internal int MaxStep { get; }
    internal double Step { get; }
    internal bool ExcludeZero { get; }
    internal char? ClassLetter { get; }

    /// <summary>Multiples of ¼ in [−2, 2]: the default for inputs, weights, output gradients and directions.</summary>
    public static Domain Any { get; } = new("any", -8, 8, 0.25, false, null);

    /// <summary>Multiples of ¼ in [−2, 2] except 0: for inputs of layers with a kink at 0 (relu, leaky relu).</summary>
    public static Domain NonZero { get; } = new("non-zero", -8, 8, 0.25, true, null);

    /// <summary>Multiples of ¼ in [¼, 2]: for inputs that must be positive (log, sqrt, a std).</summary>
    public static Domain Positive { get; } = new("positive", 1, 8, 0.25, false, null);

    /// <summary>
    /// Class labels 0, 1, …, size(<paramref name="classes"/>) − 1 stored as floats, e.g. the integer targets of
    /// cross-entropy with logits of shape <c>"n,c"</c> and labels <c>Constant("y", "n", Domain.Labels('c'))</c>.
    /// </summary>
    /// <param name="classes">The shape letter whose size is the number of classes.</param>
    /// <exception cref="ArgumentException"><paramref name="classes"/> is not a letter.</exception>
    public static Domain Labels(char classes)
    {
        if (!char.IsAsciiLetterLower(classes))
            throw new ArgumentException($"Domain.Labels needs a lower-case shape letter such as 'c'; got '{classes}'.", nameof(classes));
        return new($"labels({classes})", 0, 0, 1, false, classes);
    }

    /// <summary>Multiples of <paramref name="step"/> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentException">The step is not positive or no multiple of it lies in the range.</exception>
    public static Domain Grid(double min, double max, double step)
    {
        if (!(step > 0) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"Domain.Grid needs finite bounds and a positive step; got [{min}, {max}] step {step}.");
        int lo = (int)Math.Ceiling(min / step), hi = (int)Math.Floor(max / step);
        if (lo > hi) throw new ArgumentException($"Domain.Grid: no multiple of {step} lies in [{min}, {max}].");
        return new($"grid([{min}, {max}] step {step})", lo, hi, step, false, null);
    }

    /// <summary>The inclusive range of step multiples for the given sizes (labels depend on the class count).</summary>
    internal (int Lo, int Hi) Range(IReadOnlyDictionary<char, int> sizes) =>
        ClassLetter is { } c ? (0, sizes[c] - 1) : (MinStep, MaxStep);

    internal bool Allows(int k) => !(ExcludeZero && k == 0);

    /// <summary>Step multiples that are simpler than <paramref name="k"/> and still allowed: toward the smallest magnitude, sign kept first.</summary>
    internal IEnumerable<int> Shrink(int k, int lo, int hi)
    {
        int target = Math.Clamp(0, lo, hi);
        if (!Allows(target)) target = k > 0 ? Math.Max(1, lo) : Math.Min(-1, hi);
        if (k == target) yield break;
        yield return target;
        for (int delta = (k - target) / 2; delta != 0; delta /= 2) // k − ½(k−target), k − ¼(k−target), …, k ∓ 1
            if (Allows(k - delta)) yield return k - delta;
        int next = k - Math.Sign(k - target);
        if (next != target && (k - target) / 2 == 0 && Allows(next)) yield return next;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
