using FsCheck;
using FsCheck.Fluent;

namespace Mlp.Testing;

/// <summary>
/// Checks any layer against the vjp laws (see <see cref="VjpLaw"/>): backward matches central finite differences
/// through the inner-product law <c>⟨c, (f(x+εt) − f(x−εt))/2ε⟩ ≈ ⟨back(c), t⟩</c> (JAX: <c>check_vjp</c>; PyTorch:
/// <c>torch.autograd.gradcheck</c>), backward is linear in the output gradient, shapes are right, arguments are not
/// mutated, results are deterministic, and row-wise layers are additive over the batch.
/// </summary>
/// <remarks>
/// Three ways in: <see cref="ForAll(LayerSpec)"/> returns an FsCheck <see cref="Property"/> for a <c>[Property]</c>
/// test; <see cref="Verify(LayerSpec)"/> throws a <see cref="VjpLawException"/> with the shrunk counterexample for a
/// plain <c>[Fact]</c>; <see cref="Evaluate"/> checks one case and lists what broke.
/// </remarks>
public static class VjpLaws
{
    /// <summary>Generates cases for <paramref name="spec"/>, shrinking sizes first, then values toward the simplest.</summary>
    public static Arbitrary<LawCase> Cases(LayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Arb.From(CaseGen.Generate(spec), CaseGen.Shrink);
    }

    /// <summary>Checks every law on one case; an empty list means the case passes.</summary>
    /// <exception cref="ArgumentException">The case was made for another spec.</exception>
    public static IReadOnlyList<LawFailure> Evaluate(LayerSpec spec, LawCase lawCase)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(lawCase);
        if (!ReferenceEquals(lawCase.Spec, spec))
            throw new ArgumentException($"The case was made for {lawCase.Spec.Name}, not {spec.Name}.", nameof(lawCase));
        return LawChecks.Run(spec, lawCase);
    }

    /// <summary>
    /// The property "every law holds for every case", for a C# or F# <c>[Property]</c> test. A failure is labelled
    /// with the broken laws and their numbers, and FsCheck shows the shrunk case with its shapes and values.
    /// </summary>
    public static Property ForAll(LayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Prop.ForAll(Cases(spec), c =>
        {
            var failures = LawChecks.Run(spec, c);
            return failures.Count == 0 ? true.ToProperty() : false.Label(Describe(spec, failures));
        });
    }

    /// <summary>Checks 100 cases and throws if any breaks a law, for a plain <c>[Fact]</c>.</summary>
    /// <exception cref="VjpLawException">A law is broken; the message names the layer and the law, and shows the shrunk case and the numbers.</exception>
    public static void Verify(LayerSpec spec) => Verify(spec, Config.Quick.WithMaxTest(100));

    /// <summary>Checks cases as <paramref name="config"/> says (count, seed via <c>WithReplay</c>) and throws if any breaks a law.</summary>
    /// <exception cref="VjpLawException">A law is broken; the message names the layer and the law, and shows the shrunk case and the numbers.</exception>
    public static void Verify(LayerSpec spec, Config config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(config);
        var runner = new CapturingRunner();
        Check.One(config.WithRunner(runner), ForAll(spec));
        if (runner.Failure is { } report)
            throw new VjpLawException($"{spec.Name} breaks the vjp laws.\n{report}");
    }

    internal static string Describe(LayerSpec spec, IReadOnlyList<LawFailure> failures) =>
        $"{spec.Name}: " + string.Join("\n", failures.Select(f => $"[{f.Law}] {f.Message}"));

    /// <summary>Keeps FsCheck's own report (seed, shrinks, label, shrunk case) instead of printing it.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public string? Failure { get; private set; }
        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, Microsoft.FSharp.Collections.FSharpList<object> args,
            Microsoft.FSharp.Core.FSharpFunc<int, Microsoft.FSharp.Core.FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string>> every)
        { }
        public void OnShrink(Microsoft.FSharp.Collections.FSharpList<object> args,
            Microsoft.FSharp.Core.FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string> everyShrink)
        { }
        public void OnFinished(string name, TestResult result)
        {
            if (result.IsFailed || result.IsExhausted)
                Failure = Runner.onFinishedToString(name, result);
        }
    }
}
