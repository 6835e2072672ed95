using FsCheck;
using FsCheck.Fluent;

namespace Mlp.Testing;

/// <summary>
/// FsCheck generators for tensors of random shapes with bounded, float32-exact values (see <see cref="Domain"/>).
/// Shrinking removes rows, columns and unit dimensions first, then moves values toward the simplest allowed value.
/// </summary>
public static class TensorGen
{
    private static readonly IReadOnlyDictionary<char, int> NoSizes = new Dictionary<char, int>();

    /// <summary>Shapes of rank 0…<paramref name="maxRank"/> with each dimension in 1…<paramref name="maxSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range.</exception>
    public static Gen<int[]> Shape(int maxRank, int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        return Gen.Choose(0, maxRank).SelectMany(rank => Gen.Choose(1, maxSize).ArrayOf(rank));
    }

    /// <summary>Tensors of the given shape with values in <paramref name="domain"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is a labels domain, which needs a <see cref="LayerSpec"/> to know the class count.</exception>
    public static Gen<Tensor> OfShape(int[] shape, Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (domain.ClassLetter is not null)
            throw new ArgumentException($"{domain} needs the size of its class letter; use it inside a LayerSpec.", nameof(domain));
        return OfShape(shape, domain, NoSizes);
    }

    /// <summary>Tensors of any shape up to <paramref name="maxRank"/> and <paramref name="maxSize"/> with values in <paramref name="domain"/>.</summary>
    public static Gen<Tensor> Any(int maxRank, int maxSize, Domain domain) =>
        Shape(maxRank, maxSize).SelectMany(s => OfShape(s, domain));

    /// <summary>
    /// An arbitrary (generator and shrinker) of tensors up to <paramref name="maxRank"/> and <paramref name="maxSize"/>,
    /// for <c>Prop.ForAll</c>.
    /// </summary>
    public static Arbitrary<Tensor> Arbitrary(int maxRank, int maxSize, Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return Arb.From(Any(maxRank, maxSize, domain), t => ShrinkTensor(t, domain));
    }

    /// <summary>Pairs of tensors of the same random shape, e.g. for a binary element-wise law.</summary>
    public static Gen<(Tensor, Tensor)> SameShapePair(int maxRank, int maxSize, Domain domain) =>
        Shape(maxRank, maxSize).SelectMany(s => OfShape(s, domain).SelectMany(a => OfShape(s, domain).Select(b => (a, b))));

    internal static Gen<Tensor> OfShape(int[] shape, Domain domain, IReadOnlyDictionary<char, int> sizes)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (lo, hi) = domain.Range(sizes);
        int[] allowed = Enumerable.Range(lo, hi - lo + 1).Where(domain.Allows).ToArray();
        int n = checked((int)shape.Aggregate(1L, (p, d) => p * d));
        int[] dims = (int[])shape.Clone();
        return Gen.Elements(allowed).ArrayOf(n).Select(ks => Tensor.FromArray(ks.Select(k => (float)(k * domain.Step)).ToArray(), dims));
    }

    private static IEnumerable<Tensor> ShrinkTensor(Tensor t, Domain domain)
    {
        int rank = t.Rank;
        for (int d = 0; d < rank; d++)
            for (int r = 0; r < t.Shape[d] && t.Shape[d] > 1; r++)
                yield return DropIndex(t, Enumerable.Range(0, rank).Select(i => i == d).ToArray(), r);
        for (int d = 0; d < rank; d++)
            if (t.Shape[d] == 1) yield return t.Squeeze(d); // lower the rank
        foreach (var s in ShrinkValues(t, domain, NoSizes)) yield return s;
    }

    /// <summary>Copies of <paramref name="t"/> with one value moved toward the simplest value of its domain.</summary>
    internal static IEnumerable<Tensor> ShrinkValues(Tensor t, Domain domain, IReadOnlyDictionary<char, int> sizes)
    {
        var (lo, hi) = domain.Range(sizes);
        float[] data = t.ToArray();
        for (int j = 0; j < data.Length; j++)
        {
            int k = (int)Math.Round(data[j] / domain.Step);
            foreach (int k2 in domain.Shrink(k, lo, hi))
            {
                float[] copy = (float[])data.Clone();
                copy[j] = (float)(k2 * domain.Step);
                yield return Tensor.FromArray(copy, t.ShapeArray());
            }
        }
    }

    /// <summary>
    /// <paramref name="t"/> without index <paramref name="removed"/> along every dimension flagged in <paramref name="along"/>
    /// (all of them the same size): how a shape letter shrinks by one while keeping any of its entries.
    /// </summary>
    internal static Tensor DropIndex(Tensor t, bool[] along, int removed)
    {
        int[] old = t.ShapeArray();
        if (!along.Any(a => a)) return t;
        int[] dims = old.Select((d, i) => along[i] ? d - 1 : d).ToArray();
        return Tensor.Create(dims, dst =>
        {
            var src = t.AsSpan();
            var index = new int[dims.Length];
            for (int flat = 0; flat < dst.Length; flat++)
            {
                int rem = flat, from = 0;
                for (int d = dims.Length - 1; d >= 0; d--) { index[d] = rem % dims[d]; rem /= dims[d]; }
                for (int d = 0; d < dims.Length; d++)
                    from = from * old[d] + (along[d] && index[d] >= removed ? index[d] + 1 : index[d]);
                dst[flat] = src[from];
            }
        });
    }
}
