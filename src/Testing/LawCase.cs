using System.Globalization;
using System.Text;

namespace Mlp.Testing;

/// <summary>
/// One generated test case for a <see cref="LayerSpec"/>: a size per shape letter, a tensor per argument, and the
/// seed from which the output gradients, directions and scalars of the laws are drawn. Its text shows everything
/// needed to reproduce a failure.
/// </summary>
public sealed class LawCase
{
    /// <summary>A case with the given sizes, argument values (in the spec's order) and seed.</summary>
    /// <exception cref="ArgumentException">A size is missing or an argument's shape does not follow its spec.</exception>
    public LawCase(LayerSpec spec, IReadOnlyDictionary<char, int> sizes, Tensor[] args, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(args);
        foreach (char c in spec.Letters)
            if (!sizes.TryGetValue(c, out int s) || s < 1)
                throw new ArgumentException($"{spec.Name}: the case needs a positive size for '{c}'.", nameof(sizes));
        if (args.Length != spec.Args.Count)
            throw new ArgumentException($"{spec.Name}: {spec.Args.Count} arguments expected, {args.Length} given.", nameof(args));
        for (int i = 0; i < args.Length; i++)
        {
            int[] expected = spec.Args[i].Dims.Resolve(sizes);
            if (!args[i].Shape.SequenceEqual(expected))
                throw new ArgumentException(
                    $"{spec.Name}: argument {spec.Args[i].Name} should be {Tensor.ShapeString(expected)} for \"{spec.Args[i].Shape}\" but is {Tensor.ShapeString(args[i].Shape)}.",
                    nameof(args));
        }
        Spec = spec;
        Sizes = new SortedDictionary<char, int>(sizes.Where(kv => spec.Letters.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value));
        Args = (Tensor[])args.Clone();
        Seed = seed;
    }

    /// <summary>The layer this case is for.</summary>
    public LayerSpec Spec { get; }

    /// <summary>The size of each shape letter.</summary>
    public IReadOnlyDictionary<char, int> Sizes { get; }

    /// <summary>The arguments, in the spec's order.</summary>
    public IReadOnlyList<Tensor> Args { get; }

    /// <summary>Seeds the output gradients, directions, scalars and batch split.</summary>
    public int Seed { get; }

    /// <summary>Shows the sizes and every argument with its shape and values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Spec.Name).Append(" case: ")
          .Append(string.Join(", ", Sizes.Select(kv => $"{kv.Key}={kv.Value}")))
          .Append(", seed=").Append(Seed.ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < Args.Count; i++)
            sb.Append('\n').Append("  ").Append(Spec.Args[i].Name).Append(" \"").Append(Spec.Args[i].Shape).Append("\" = ")
              .Append(Show(Args[i]));
        return sb.ToString();
    }

    /// <summary>Every value (these tensors are small), with the shape.</summary>
    internal static string Show(Tensor t)
    {
        static string F(float v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        string values = t.Rank == 0 ? F(t.ToScalar()) : Nest(t.AsSpan().ToArray(), t.ShapeArray(), 0, 0, F);
        return $"{values} {Tensor.ShapeString(t.Shape)}";
    }

    private static string Nest(float[] data, int[] dims, int dim, int offset, Func<float, string> f)
    {
        int stride = 1;
        for (int d = dim + 1; d < dims.Length; d++) stride *= dims[d];
        var parts = new string[dims[dim]];
        for (int i = 0; i < parts.Length; i++)
            parts[i] = dim == dims.Length - 1 ? f(data[offset + i]) : Nest(data, dims, dim + 1, offset + i * stride, f);
        return "[" + string.Join(", ", parts) + "]";
    }
}
