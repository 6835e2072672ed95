using System.Globalization;
using System.Runtime.InteropServices;

namespace Mlp.Testing;

/// <summary>Runs every law on one case. Tolerances are explained where they are set.</summary>
internal sealed class LawChecks
{
    // Finite differences: |lhs − rhs| ≤ FdRelative · (Σ|gⱼ·dⱼ| + Σ|cᵢ·Δfᵢ|) + FdNoiseUlps · 2⁻²⁴ · Σ|cᵢ|(|f⁺ᵢ| + |f⁻ᵢ|).
    // The first term covers truncation (ε² ≈ 1e-4 relative for smooth layers) measured on the terms before they
    // cancel (in ⟨c, Δf⟩ or inside backward, as in xᵀ·dy); the second the float32 rounding
    // of the two forward passes, which no step size removes. A wrong gradient on one entry of a 4×4 case is off
    // by several percent, far above both.
    private const double FdRelative = 1e-3;
    private const double FdNoiseUlps = 64;
    // Linearity and batch additivity compare float32 results computed two ways: per element, within
    // SameRelative of the element's own scale plus the tensor's largest scale.
    // SameAbsolute absorbs last-ulp differences near 0 between vector and scalar paths: System.Numerics.Tensors'
    // vectorized tanh(0) is −6e-8, its scalar tanh(0) is 0, so a split batch can differ there.
    private const double SameRelative = 1e-4;
    private const double SameAbsolute = 1e-6;

    private readonly LayerSpec spec;
    private readonly LawCase c;
    private readonly List<LawFailure> failures = [];

    private LawChecks(LayerSpec spec, LawCase c)
    {
        this.spec = spec;
        this.c = c;
    }

    internal static IReadOnlyList<LawFailure> Run(LayerSpec spec, LawCase c)
    {
        var checks = new LawChecks(spec, c);
        try { checks.RunAll(); }
        catch (LawAbort) { }
        return checks.failures;
    }

    private sealed class LawAbort : Exception;

    private void RunAll()
    {
        Tensor[] args = c.Args.ToArray();
        float[][] before = args.Select(a => a.ToArray()).ToArray();
        ArgSpec[] diff = spec.Differentiable;
        int[] diffIndex = DiffIndex();
        var rng = new Rng(unchecked((ulong)c.Seed));

        // Shapes.
        var v = Call(() => spec.Forward(args), "forward");
        int[] outShape = spec.OutputSpec.Resolve(c.Sizes);
        if (v.Output is null || v.Backward is null)
            Fail(VjpLaw.Shapes, "forward returned a null output or backward.", abort: true);
        if (!v.Output!.Shape.SequenceEqual(outShape))
            Fail(VjpLaw.Shapes, $"the output should be {Tensor.ShapeString(outShape)} (\"{spec.Output}\") but is {Tensor.ShapeString(v.Output.Shape)}.", abort: true);
        Tensor c1 = Grid(rng, outShape), c2 = Grid(rng, outShape);
        float[] c1Before = c1.ToArray(), c2Before = c2.ToArray();
        Tensor[] g1 = Back(v, c1, "c");

        // Determinism.
        Tensor[] g1Again = Back(v, c1, "c");
        for (int k = 0; k < diff.Length; k++)
            if (!SameBits(g1[k], g1Again[k]))
                Fail(VjpLaw.Determinism, $"backward(c) called twice gave different gradients for {diff[k].Name}:\n  first  {Show(g1[k])}\n  second {Show(g1Again[k])}\n  c = {Show(c1)}");
        var v2 = Call(() => spec.Forward(args), "forward");
        if (v2.Output is null || !SameBits(v.Output, v2.Output))
            Fail(VjpLaw.Determinism, $"forward called twice on the same arguments gave different outputs:\n  first  {Show(v.Output)}\n  second {(v2.Output is null ? "null" : Show(v2.Output))}");
        else
        {
            Tensor[] g1Second = Back(v2, c1, "c");
            for (int k = 0; k < diff.Length; k++)
                if (!SameBits(g1[k], g1Second[k]))
                    Fail(VjpLaw.Determinism, $"the backward of a second forward on the same arguments gave a different gradient for {diff[k].Name}:\n  first  {Show(g1[k])}\n  second {Show(g1Second[k])}");
        }

        // Linearity in the output gradient.
        float alpha = Scalar(rng), beta = Scalar(rng);
        Tensor[] g2 = Back(v, c2, "c₂");
        Tensor mix = c1 * alpha + c2 * beta; // exact: grid values times multiples of ½
        Tensor[] gMix = Back(v, mix, "αc₁ + βc₂");
        for (int k = 0; k < diff.Length; k++)
        {
            Tensor expected = g1[k] * alpha + g2[k] * beta;
            if (Mismatch(gMix[k], expected, (g1[k] * alpha).Abs() + (g2[k] * beta).Abs()) is { } where)
                Fail(VjpLaw.Linearity,
                    $"backward is not linear in the output gradient for {diff[k].Name} (α = {F(alpha)}, β = {F(beta)}), {where}:\n" +
                    $"  backward(αc₁ + βc₂) = {Show(gMix[k])}\n  α·backward(c₁) + β·backward(c₂) = {Show(expected)}\n  c₁ = {Show(c1)}\n  c₂ = {Show(c2)}");
        }

        // The vjp inner-product law against central finite differences, one input at a time.
        for (int k = 0; k < diff.Length; k++)
        {
            int i = diffIndex[k];
            Tensor t = Grid(rng, args[i].ShapeArray());
            FiniteDifference(args, i, diff[k], t, c1, g1[k]);
        }

        // Batch additivity for row-wise layers.
        if (spec.BatchLetter is { } batch && c.Sizes[batch] >= 2)
            BatchAdditivity(args, batch, c.Sizes[batch], rng, v.Output, c1, g1);

        // No mutation (checked last, after every call above had its chance to write).
        for (int i = 0; i < args.Length; i++)
            if (!SameBits(args[i], before[i]))
                Fail(VjpLaw.NoMutation, $"argument {spec.Args[i].Name} was modified:\n  before {Show(Tensor.FromArray(before[i], args[i].ShapeArray()))}\n  after  {Show(args[i])}");
        if (!SameBits(c1, c1Before) || !SameBits(c2, c2Before))
            Fail(VjpLaw.NoMutation, "backward modified the output gradient it was given.");
    }

    private void FiniteDifference(Tensor[] args, int i, ArgSpec arg, Tensor t, Tensor cot, Tensor g)
    {
        // The noise term sees only |f|, not intermediates that cancel inside the layer: Linear → Tanh → Linear with a
        // saturated tanh and an output bias near −w₂·tanh has f ≈ 0.002 while w₂·tanh ≈ 2 rounds at 2⁻²³, so one
        // difference quotient can be off by |c|·|w₂|·2⁻²⁴/ε, far above that term. When the check at ε misses, the
        // forward's actual rounding is measured instead: the same law at RetrySteps steps ε·2^(k/2), k = 0…5. Rounding moves
        // each quotient by a different, pseudo-random amount, so their spread shows how far rounding can move one; a
        // wrong gradient shifts all of them by the same amount. The law fails when the mean miss exceeds the
        // tolerance plus twice the spread. The ratios are irrational on purpose: at steps ε·(1 + k/8) a tanh
        // staircase put every quotient on the same rounding, spread 0. The steps reach 5.7ε because deep in a
        // saturated tanh the float32 forward does not move at all below ~4ε (FD = 0 against a true 4e-6).
        double eps = spec.Epsilon;
        var first = Difference(args, i, t, cot, g, eps, abortOnThrow: true)!.Value;
        if (first.Passes) return;
        var misses = new List<double> { first.Miss };
        double tolerance = first.Tol / (2 * eps);
        // Steps stay below max(ε, 1/32) so that they keep the distance to a kink that ε keeps.
        for (int k = 1; k < RetrySteps && Step(eps, k) <= Math.Max(eps, 1.0 / 32); k++)
        {
            if (Difference(args, i, t, cot, g, Step(eps, k), abortOnThrow: false) is not { } r) break; // the forward threw there
            misses.Add(r.Miss);
            tolerance = Math.Max(tolerance, r.Tol / (2 * r.Eps));
        }
        double mean = misses.Average(), spread = misses.Max() - misses.Min();
        if (misses.Count >= MinRetrySteps && Math.Abs(mean) <= tolerance + 2 * spread) return;
        Fail(VjpLaw.FiniteDifferences,
            $"backward disagrees with central finite differences for {arg.Name} \"{arg.Shape}\" {Tensor.ShapeString(args[i].Shape)}:\n" +
            $"  finite differences ⟨c, f({arg.Name}+εt) − f({arg.Name}−εt)⟩ / 2ε = {G(first.Lhs / (2 * eps))}\n" +
            $"  backward           ⟨backward(c).{arg.Name}, t⟩               = {G(first.Rhs / (2 * eps))}\n" +
            $"  |difference| {G(Math.Abs(first.Miss))} > tolerance {G(first.Tol / (2 * eps))} (ε = {G(eps)})\n" +
            (misses.Count >= MinRetrySteps
                ? $"  at {misses.Count} steps ε…{G(Step(1, misses.Count - 1))}ε the mean difference {G(mean)} exceeds the tolerance {G(tolerance)} plus twice the spread {G(spread)} that rounding causes\n"
                : $"  only {misses.Count} step(s) ε…{G(Step(1, misses.Count - 1))}ε could be taken (the forward threw beyond, or ε is large), so rounding could not be measured\n") +
            $"  c = {Show(cot)}\n  t = {Show(t)}\n  backward(c).{arg.Name} = {Show(g)}");
    }

    private const int RetrySteps = 6, MinRetrySteps = 3;

    private static double Step(double eps, int k) => eps * Math.Pow(2, k / 2.0);

    /// <summary>The two sides of the inner-product law at one step, |lhs − rhs| and its tolerance (all times 2ε).</summary>
    private readonly record struct FdResult(double Eps, double Lhs, double Rhs, double Err, double Tol)
    {
        public bool Passes => Err <= Tol;

        /// <summary>Finite differences minus backward, as a derivative (divided by 2ε).</summary>
        public double Miss => (Lhs - Rhs) / (2 * Eps);
    }

    /// <summary>The inner-product law at step <paramref name="eps"/>; null when the forward threw there and <paramref name="abortOnThrow"/> is false.</summary>
    private FdResult? Difference(Tensor[] args, int i, Tensor t, Tensor cot, Tensor g, double eps, bool abortOnThrow)
    {
        float[] x = args[i].ToArray(), xp = new float[x.Length], xm = new float[x.Length];
        var step = new double[x.Length]; // the perturbation float32 actually represents: (x+εt) − (x−εt)
        for (int j = 0; j < x.Length; j++)
        {
            xp[j] = (float)(x[j] + eps * t.AsSpan()[j]);
            xm[j] = (float)(x[j] - eps * t.AsSpan()[j]);
            step[j] = (double)xp[j] - xm[j];
        }
        Tensor? fp = Perturbed(args, i, xp, abortOnThrow), fm = fp is null ? null : Perturbed(args, i, xm, abortOnThrow);
        if (fp is null || fm is null) return null;
        double lhs = 0, noise = 0, rhs = 0, scale = 0;
        var cs = cot.AsSpan();
        for (int j = 0; j < cs.Length; j++)
        {
            double df = (double)fp.AsSpan()[j] - fm.AsSpan()[j];
            lhs += cs[j] * df;
            scale += Math.Abs(cs[j] * df); // the terms before they cancel: truncation is relative to these
            noise += Math.Abs(cs[j]) * (Math.Abs(fp.AsSpan()[j]) + Math.Abs(fm.AsSpan()[j]));
        }
        for (int j = 0; j < step.Length; j++)
        {
            rhs += g.AsSpan()[j] * step[j];
            scale += Math.Abs(g.AsSpan()[j] * step[j]);
        }
        double tol = FdRelative * scale + FdNoiseUlps * Math.Pow(2, -24) * noise;
        double err = Math.Abs(lhs - rhs);
        return new FdResult(eps, lhs, rhs, double.IsNaN(err) ? double.PositiveInfinity : err, tol);
    }

    private Tensor? Perturbed(Tensor[] args, int i, float[] values, bool abortOnThrow)
    {
        var copy = (Tensor[])args.Clone();
        copy[i] = Tensor.FromArray(values, args[i].ShapeArray());
        Vjp<Tensor[]> r;
        if (abortOnThrow) r = Call(() => spec.Forward(copy), "forward at a perturbed argument");
        else
        {
            try { r = spec.Forward(copy); }
            catch (Exception) { return null; }
        }
        if (r.Output is null || !r.Output.Shape.SequenceEqual(spec.OutputSpec.Resolve(c.Sizes)))
            Fail(VjpLaw.Shapes, "forward at a perturbed argument returned an output of another shape.", abort: true);
        return r.Output!;
    }

    private void BatchAdditivity(Tensor[] args, char batch, int n, Rng rng, Tensor output, Tensor cot, Tensor[] g)
    {
        int split = 1 + rng.NextInt(n - 1);
        bool[] batched = spec.Args.Select(a => a.Dims.StartsWith(batch)).ToArray();
        Tensor[] Part(int start, int count) =>
            args.Select((a, i) => batched[i] ? a.Rows(start, count) : a).ToArray();
        Tensor[] a1 = Part(0, split), a2 = Part(split, n - split);
        var v1 = Call(() => spec.Forward(a1), "forward on the first part of the batch");
        var v2 = Call(() => spec.Forward(a2), "forward on the second part of the batch");
        string where = $"splitting {batch} = {n} into {split} + {n - split}";
        Tensor joined = Tensor.ConcatRows([v1.Output, v2.Output]);
        if (!joined.SameShape(output) || Mismatch(output, joined, output.Abs() + joined.Abs()) is { } at)
        {
            Fail(VjpLaw.BatchAdditivity, $"{where}: the outputs of the parts do not concatenate to the output of the whole:\n  whole {Show(output)}\n  parts {Show(joined)}");
            return;
        }
        Tensor[] g1 = Back(v1, cot.Rows(0, split), "the first rows of c", a1);
        Tensor[] g2 = Back(v2, cot.Rows(split, n - split), "the last rows of c", a2);
        ArgSpec[] diff = spec.Differentiable;
        int[] diffIndex = DiffIndex();
        for (int k = 0; k < diff.Length; k++)
        {
            bool rows = batched[diffIndex[k]];
            Tensor combined = rows ? Tensor.ConcatRows([g1[k], g2[k]]) : g1[k] + g2[k];
            Tensor scale = rows ? combined.Abs() : g1[k].Abs() + g2[k].Abs();
            if (Mismatch(g[k], combined, scale) is { } pos)
                Fail(VjpLaw.BatchAdditivity,
                    $"{where}: the gradient of {diff[k].Name} for the whole batch is not the {(rows ? "concatenation" : "sum")} of the parts' gradients, {pos}:\n" +
                    $"  whole {Show(g[k])}\n  parts {Show(combined)}\n  c = {Show(cot)}");
        }
    }

    // ---------------------------------------------------------------- helpers

    private Vjp<Tensor[]> Call(Func<Vjp<Tensor[]>> f, string what)
    {
        try { return f(); }
        catch (Exception e)
        {
            Fail(VjpLaw.Throws, $"{what} threw {e.GetType().Name}: {e.Message}{FixedSizeHint(e)}", abort: true);
            throw; // unreachable
        }
    }

    private Tensor[] Back(Vjp<Tensor[]> v, Tensor cot, string cotName) => Back(v, cot, cotName, c.Args.ToArray());

    private Tensor[] Back(Vjp<Tensor[]> v, Tensor cot, string cotName, Tensor[] args)
    {
        Tensor[]? g;
        try { g = v.Backward(cot); }
        catch (Exception e)
        {
            Fail(VjpLaw.Throws, $"backward({cotName}) threw {e.GetType().Name}: {e.Message}\n  {cotName} = {Show(cot)}", abort: true);
            throw;
        }
        ArgSpec[] diff = spec.Differentiable;
        if (g is null || g.Length != diff.Length)
            Fail(VjpLaw.Shapes,
                $"backward returned {(g is null ? "null" : g.Length + " gradients")} but the layer has {diff.Length} non-constant arguments ({string.Join(", ", diff.Select(a => a.Name))}).",
                abort: true);
        int[] diffIndex = DiffIndex();
        for (int k = 0; k < diff.Length; k++)
        {
            int[] expected = args[diffIndex[k]].ShapeArray();
            if (g![k] is null)
                Fail(VjpLaw.Shapes, $"backward returned null for the gradient of {diff[k].Name}.", abort: true);
            else if (!g[k].Shape.SequenceEqual(expected))
                Fail(VjpLaw.Shapes,
                    $"the gradient of {diff[k].Name} should be shaped like it, {Tensor.ShapeString(expected)}, but is {Tensor.ShapeString(g[k].Shape)}.", abort: true);
        }
        return g!;
    }

    // A layer built for fixed sizes (a Linear(…, 32) inside a Model) refuses the sizes a letter draws; say how to declare them.
    private string FixedSizeHint(Exception e) =>
        e is ArgumentException && spec.Letters.Any()
            ? $"\n  (the case drew {string.Join(", ", c.Sizes.Select(kv => $"{kv.Key}={kv.Value}"))}; if the layer has fixed sizes, write them as numbers in the shapes instead of letters, e.g. \"n,32\" and \"32\")"
            : "";

    private int[] DiffIndex() => spec.Args.Select((a, i) => (a, i)).Where(p => !p.a.IsConstant).Select(p => p.i).ToArray();

    private void Fail(VjpLaw law, string message, bool abort = false)
    {
        failures.Add(new LawFailure(law, message));
        if (abort) throw new LawAbort();
    }

    /// <summary>Null when every element is within tolerance, else a description of the worst element.</summary>
    private static string? Mismatch(Tensor actual, Tensor expected, Tensor scale)
    {
        var a = actual.AsSpan(); var e = expected.AsSpan(); var s = scale.AsSpan();
        double max = 0;
        foreach (float v in s) max = Math.Max(max, v);
        int worst = -1; double worstExcess = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double err = Math.Abs((double)a[j] - e[j]);
            double tol = SameRelative * (s[j] + max) + SameAbsolute;
            if (!(err <= tol) && (worst < 0 || err - tol > worstExcess || double.IsNaN(err))) { worst = j; worstExcess = err - tol; }
        }
        return worst < 0 ? null : $"worst at flat index {worst}: {F(a[worst])} vs {F(e[worst])}";
    }

    private static bool SameBits(Tensor a, Tensor b) => a.SameShape(b) && SameBits(a, b.AsSpan().ToArray());

    private static bool SameBits(Tensor a, float[] b) =>
        MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    /// <summary>
    /// Non-zero multiples of ¼ in [−2, 2], exact in float32: output gradients and directions. Zero entries would hide
    /// a wrong gradient at that position and stop shrinking early.
    /// </summary>
    private static Tensor Grid(Rng rng, int[] shape) => Tensor.Create(shape, d =>
    {
        for (int j = 0; j < d.Length; j++) d[j] = (rng.NextInt(2) == 0 ? -1 : 1) * (1 + rng.NextInt(8)) * 0.25f;
    });

    private static float Scalar(Rng rng) => (rng.NextInt(2) == 0 ? -1 : 1) * (1 + rng.NextInt(4)) * 0.5f;

    private static string Show(Tensor t) => LawCase.Show(t);
    private static string F(float v) => v.ToString("0.######", CultureInfo.InvariantCulture);
    private static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
