using FsCheck;
using FsCheck.Fluent;

namespace Mlp.Tests.Properties;

/// <summary>Weights, biases, inputs and two cotangents of one small linear layer; X is (n, in), W (in, out).</summary>
public sealed record LinearCase(Tensor X, Tensor W, Tensor B, Tensor Dy, Tensor Dy2);

/// <summary>One linear layer over a batch given in two parts, with a cotangent for each part.</summary>
public sealed record SplitBatchCase(Tensor X1, Tensor X2, Tensor W, Tensor B, Tensor C1, Tensor C2);

/// <summary>An input kept at least 0.5 away from relu's kink, a cotangent and a shift.</summary>
public sealed record ReluCase(Tensor X, Tensor Dy, float Shift);

/// <summary>The lesson's model at a small size: x (n, m), w1 (m, nh), b1 (nh), w2 (nh, 1), b2 (1), y (n).</summary>
public sealed record LessonCase(Tensor X, Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor Y);

/// <summary>Two tensors whose shapes broadcast (ranks 0–3, some dimensions stretched).</summary>
public sealed record BroadcastCase(Tensor A, Tensor B);

/// <summary>Operands of <c>op(A)·op(B)</c>: A is (k, m) when TransposeA, B is (n, k) when TransposeB.</summary>
public sealed record MatMulCase(Tensor A, Tensor B, bool TransposeA, bool TransposeB);

/// <summary>An initializer's arguments: sizes, fan mode, gain and seed.</summary>
public sealed record InitCase(int In, int Out, FanMode Mode, Gain Gain, ulong Seed);

/// <summary>Inputs for the relu kernels: any floats, including NaN, ±0 and ±∞, of length 0…256.</summary>
public sealed record KernelCase(float[] X, float[] Dy, float Shift)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"KernelCase {{ Length = {X.Length}, X = [{string.Join(", ", X.Select(v => v.ToString("R")))}], Dy = [{string.Join(", ", Dy.Select(v => v.ToString("R")))}], Shift = {Shift:R} }}";
}

/// <summary>
/// Every FsCheck generator of the property tests. Shapes are small and values are short decimals in a bounded
/// range, and each shrinker removes rows and columns and rounds values, so a failure ends at a counterexample
/// one can read and redo by hand. FsCheck prints the seed to replay it.
/// </summary>
public static class Arbitraries
{
    // ---------------------------------------------------------------- building blocks

    /// <summary>A float in [−4, 4] with two decimals.</summary>
    public static Gen<float> Value { get; } = Gen.Choose(-400, 400).Select(i => i / 100f);

    /// <summary>A float in [−1, 1] with two decimals: tangent directions.</summary>
    public static Gen<float> Unit { get; } = Gen.Choose(-100, 100).Select(i => i / 100f);

    /// <summary>A float with |v| in [0.5, 4]: inputs kept away from relu's kink at 0.</summary>
    public static Gen<float> AwayFromZero { get; } =
        from magnitude in Gen.Choose(50, 400)
        from negative in Gen.Elements(true, false)
        select (negative ? -magnitude : magnitude) / 100f;

    /// <summary>A tensor of the shape with elements from <paramref name="element"/>.</summary>
    public static Gen<Tensor> TensorOf(Gen<float> element, params int[] shape) =>
        element.ArrayOf(checked((int)shape.Aggregate(1L, (a, d) => a * d))).Select(a => Tensor.FromArray(a, shape));

    // ---------------------------------------------------------------- shrinking helpers

    /// <summary>Drops the last entry of dimension <paramref name="dim"/>.</summary>
    internal static Tensor DropLast(Tensor t, int dim)
    {
        int[] shape = t.ShapeArray();
        int[] smaller = (int[])shape.Clone();
        smaller[dim]--;
        return Tensor.Create(smaller, buf =>
        {
            var src = t.AsSpan();
            int inner = 1;
            for (int d = dim + 1; d < shape.Length; d++) inner *= shape[d];
            int outer = src.Length / Math.Max(1, shape[dim] * inner);
            for (int o = 0; o < outer; o++)
                src.Slice(o * shape[dim] * inner, smaller[dim] * inner).CopyTo(buf.Slice(o * smaller[dim] * inner));
        });
    }

    /// <summary>Rounds every element to <paramref name="decimals"/> decimals.</summary>
    internal static Tensor Round(Tensor t, int decimals)
    {
        float[] a = t.ToArray();
        for (int i = 0; i < a.Length; i++) a[i] = MathF.Round(a[i], decimals);
        return Tensor.FromArray(a, t.ShapeArray());
    }

    /// <summary>Rounded versions of a case (first to one decimal, then to integers) that differ from it.</summary>
    private static IEnumerable<T> Rounded<T>(T value, Func<int, T> roundTo, Func<T, T, bool> same)
    {
        foreach (int decimals in new[] { 0, 1 })
        {
            T r = roundTo(decimals);
            if (!same(r, value)) yield return r;
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.SameShape(b) && a.AsSpan().SequenceEqual(b.AsSpan());

    // ---------------------------------------------------------------- cases

    /// <summary>Linear layers with n ∈ 1…6 rows, in ∈ 1…6 and out ∈ 1…5.</summary>
    public static Arbitrary<LinearCase> LinearCases() => Arb.From(
        from n in Gen.Choose(1, 6)
        from i in Gen.Choose(1, 6)
        from o in Gen.Choose(1, 5)
        from x in TensorOf(Value, n, i)
        from w in TensorOf(Value, i, o)
        from b in TensorOf(Value, o)
        from dy in TensorOf(Value, n, o)
        from dy2 in TensorOf(Value, n, o)
        select new LinearCase(x, w, b, dy, dy2),
        ShrinkLinear);

    private static IEnumerable<LinearCase> ShrinkLinear(LinearCase c)
    {
        int n = c.X.Size(0), i = c.X.Size(1), o = c.W.Size(1);
        if (n > 1) yield return c with { X = DropLast(c.X, 0), Dy = DropLast(c.Dy, 0), Dy2 = DropLast(c.Dy2, 0) };
        if (i > 1) yield return c with { X = DropLast(c.X, 1), W = DropLast(c.W, 0) };
        if (o > 1)
            yield return c with
            {
                W = DropLast(c.W, 1),
                B = DropLast(c.B, 0),
                Dy = DropLast(c.Dy, 1),
                Dy2 = DropLast(c.Dy2, 1),
            };
        foreach (var r in Rounded(c, d => new LinearCase(Round(c.X, d), Round(c.W, d), Round(c.B, d), Round(c.Dy, d), Round(c.Dy2, d)),
                     (a, b) => Same(a.X, b.X) && Same(a.W, b.W) && Same(a.B, b.B) && Same(a.Dy, b.Dy) && Same(a.Dy2, b.Dy2)))
            yield return r;
    }

    /// <summary>A batch split into parts of 1…5 rows each; in ∈ 1…5, out ∈ 1…4.</summary>
    public static Arbitrary<SplitBatchCase> SplitBatchCases() => Arb.From(
        from n1 in Gen.Choose(1, 5)
        from n2 in Gen.Choose(1, 5)
        from i in Gen.Choose(1, 5)
        from o in Gen.Choose(1, 4)
        from x1 in TensorOf(Value, n1, i)
        from x2 in TensorOf(Value, n2, i)
        from w in TensorOf(Value, i, o)
        from b in TensorOf(Value, o)
        from c1 in TensorOf(Value, n1, o)
        from c2 in TensorOf(Value, n2, o)
        select new SplitBatchCase(x1, x2, w, b, c1, c2),
        c =>
        {
            var r = new List<SplitBatchCase>();
            if (c.X1.Size(0) > 1) r.Add(c with { X1 = DropLast(c.X1, 0), C1 = DropLast(c.C1, 0) });
            if (c.X2.Size(0) > 1) r.Add(c with { X2 = DropLast(c.X2, 0), C2 = DropLast(c.C2, 0) });
            if (c.W.Size(0) > 1) r.Add(c with { X1 = DropLast(c.X1, 1), X2 = DropLast(c.X2, 1), W = DropLast(c.W, 0) });
            if (c.W.Size(1) > 1)
                r.Add(c with { W = DropLast(c.W, 1), B = DropLast(c.B, 0), C1 = DropLast(c.C1, 1), C2 = DropLast(c.C2, 1) });
            return r;
        });

    /// <summary>Relu inputs of rank 1 or 2 (up to 6×6) kept away from 0, with shifts in [−1, 1].</summary>
    public static Arbitrary<ReluCase> ReluCases() => Arb.From(
        from shape in Gen.OneOf(Gen.Choose(1, 12).Select(n => new[] { n }), Gen.Choose(1, 6).Zip(Gen.Choose(1, 6), (r, c) => new[] { r, c }))
        from x in TensorOf(AwayFromZero, shape)
        from dy in TensorOf(Value, shape)
        from shift in Unit
        select new ReluCase(x, dy, shift),
        c =>
        {
            var r = new List<ReluCase>();
            if (c.X.Size(0) > 1) r.Add(c with { X = DropLast(c.X, 0), Dy = DropLast(c.Dy, 0) });
            if (c.X.Rank == 2 && c.X.Size(1) > 1) r.Add(c with { X = DropLast(c.X, 1), Dy = DropLast(c.Dy, 1) });
            if (c.Shift != 0) r.Add(c with { Shift = 0 });
            return r;
        });

    /// <summary>The lesson's model with n ∈ 1…8, m ∈ 1…6, nh ∈ 1…5.</summary>
    public static Arbitrary<LessonCase> LessonCases() => Arb.From(
        from n in Gen.Choose(1, 8)
        from m in Gen.Choose(1, 6)
        from nh in Gen.Choose(1, 5)
        from x in TensorOf(Value, n, m)
        from w1 in TensorOf(Unit, m, nh)
        from b1 in TensorOf(Unit, nh)
        from w2 in TensorOf(Unit, nh, 1)
        from b2 in TensorOf(Unit, 1)
        from y in TensorOf(Value, n)
        select new LessonCase(x, w1, b1, w2, b2, y),
        c =>
        {
            var r = new List<LessonCase>();
            if (c.X.Size(0) > 1) r.Add(c with { X = DropLast(c.X, 0), Y = DropLast(c.Y, 0) });
            if (c.X.Size(1) > 1) r.Add(c with { X = DropLast(c.X, 1), W1 = DropLast(c.W1, 0) });
            if (c.W1.Size(1) > 1) r.Add(c with { W1 = DropLast(c.W1, 1), B1 = DropLast(c.B1, 0), W2 = DropLast(c.W2, 0) });
            return r;
        });

    /// <summary>
    /// Shape pairs that broadcast: a common shape of rank 0…3 (sizes 1…4), from which each side may drop leading
    /// dimensions and set dimensions to 1.
    /// </summary>
    public static Arbitrary<BroadcastCase> BroadcastCases()
    {
        Gen<int[]> Side(int[] full) =>
            from lead in Gen.Choose(0, full.Length)
            from ones in Gen.Elements(true, false).ArrayOf(full.Length)
            select full.Skip(lead).Select((d, j) => ones[lead + j] ? 1 : d).ToArray();
        return Arb.From(
            from rank in Gen.Choose(0, 3)
            from full in Gen.Choose(1, 4).ArrayOf(rank)
            from sa in Side(full)
            from sb in Side(full)
            from a in TensorOf(Value, sa)
            from b in TensorOf(Value, sb)
            select new BroadcastCase(a, b),
            c =>
            {
                var r = new List<BroadcastCase>();
                var ra = Round(c.A, 0);
                var rb = Round(c.B, 0);
                if (!Same(ra, c.A) || !Same(rb, c.B)) r.Add(new BroadcastCase(ra, rb));
                return r;
            });
    }

    /// <summary>Matrix products with m, k, n ∈ 1…9 (k may be 0) and both transpose flags.</summary>
    public static Arbitrary<MatMulCase> MatMulCases() => Arb.From(
        from m in Gen.Choose(1, 9)
        from k in Gen.Choose(0, 9)
        from n in Gen.Choose(1, 9)
        from ta in Gen.Elements(true, false)
        from tb in Gen.Elements(true, false)
        from a in ta ? TensorOf(Value, k, m) : TensorOf(Value, m, k)
        from b in tb ? TensorOf(Value, n, k) : TensorOf(Value, k, n)
        select new MatMulCase(a, b, ta, tb),
        c =>
        {
            var r = new List<MatMulCase>();
            if (c.TransposeA || c.TransposeB) r.Add(new MatMulCase(c.TransposeA ? c.A.Transpose() : c.A, c.TransposeB ? c.B.Transpose() : c.B, false, false));
            return r;
        });

    /// <summary>Fans of 50…400 × 20…200, either mode, and relu, linear or leaky relu (a ∈ [0, 1]) gains.</summary>
    public static Arbitrary<InitCase> InitCases() => Arb.From(
        from i in Gen.Choose(50, 400)
        from o in Gen.Choose(20, 200)
        from mode in Gen.Elements(FanMode.FanIn, FanMode.FanOut)
        from gain in Gen.OneOf(Gen.Constant(Gain.Relu), Gen.Constant(Gain.Linear), Gen.Choose(0, 100).Select(a => Gain.LeakyRelu(a / 100.0)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new InitCase(i, o, mode, gain, (ulong)seed));

    /// <summary>Any float, weighted toward the values where kernels go wrong: NaN, ±0, ±∞, ±ε, ±max.</summary>
    public static Gen<float> AnyFloat { get; } = Gen.Frequency(
        (6, Value),
        (1, Gen.Elements(float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue)),
        (1, Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle)));

    /// <summary>Kernel inputs of length 0…256; shrinking halves them or drops the last element.</summary>
    public static Arbitrary<KernelCase> KernelCases() => Arb.From(
        from n in Gen.Choose(0, 256)
        from x in AnyFloat.ArrayOf(n)
        from dy in AnyFloat.ArrayOf(n)
        from shift in Gen.Elements(0f, -0f, -0.5f, 1f, float.NaN)
        select new KernelCase(x, dy, shift),
        c => c.X.Length == 0 ? [] : [new KernelCase(c.X[..(c.X.Length / 2)], c.Dy[..(c.X.Length / 2)], c.Shift), new KernelCase(c.X[..^1], c.Dy[..^1], c.Shift)]);
}
