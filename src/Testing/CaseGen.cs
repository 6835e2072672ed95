using FsCheck;
using FsCheck.Fluent;

namespace Mlp.Testing;

/// <summary>Generates <see cref="LawCase"/>s for a spec and shrinks them: sizes first, then values toward the simplest.</summary>
internal static class CaseGen
{
    internal static Gen<LawCase> Generate(LayerSpec spec)
    {
        char[] letters = spec.Letters.ToArray();
        return Gen.Choose(1, spec.MaxSize).ArrayOf(letters.Length).SelectMany(sizeArray =>
        {
            var sizes = letters.Zip(sizeArray).ToDictionary(p => p.First, p => p.Second);
            var argGens = spec.Args.Select(a => TensorGen.OfShape(a.Dims.Resolve(sizes), a.Domain, sizes));
            return Gen.CollectToArray(argGens).SelectMany(args =>
                Gen.Choose(0, int.MaxValue).Select(seed => new LawCase(spec, sizes, args, seed)));
        });
    }

    internal static IEnumerable<LawCase> Shrink(LawCase c)
    {
        var spec = c.Spec;
        foreach (var (letter, size) in c.Sizes)
        {
            if (size <= 1) continue;
            var sizes = c.Sizes.ToDictionary(kv => kv.Key, kv => kv.Value);
            sizes[letter] = size - 1;
            for (int removed = size - 1; removed >= 0; removed--) // the last index first: the leading block reads best
            {
                var args = new Tensor[c.Args.Count];
                for (int i = 0; i < args.Length; i++)
                {
                    var a = spec.Args[i];
                    args[i] = TensorGen.DropIndex(c.Args[i], a.Dims.Parts.Select(p => p is char l && l == letter).ToArray(), removed);
                    if (a.Domain.ClassLetter == letter) args[i] = args[i].ClampMax(size - 2); // labels stay below the class count
                }
                yield return new LawCase(spec, sizes, args, c.Seed);
            }
        }
        for (int i = 0; i < c.Args.Count; i++)
        {
            var domain = spec.Args[i].Domain;
            foreach (var t in TensorGen.ShrinkValues(c.Args[i], domain, c.Sizes))
            {
                var args = c.Args.ToArray();
                args[i] = t;
                yield return new LawCase(spec, c.Sizes, args, c.Seed);
            }
        }
    }
}
