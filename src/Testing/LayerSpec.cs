namespace Mlp.Testing;

/// <summary>
/// A layer described for the law kit: its arguments with symbolic shapes, its output shape, and its forward
/// function, which returns the output and a backward closure (a vjp) as every Mlp layer does.
/// </summary>
/// <remarks>
/// <para>Forward receives every argument in the declared order, constants included; backward maps the output
/// gradient to one gradient per <b>non-constant</b> argument, in the declared order.</para>
/// <code>
/// var linear = LayerSpec.Create("Linear",
///     [ArgSpec.Input("x", "n,i"), ArgSpec.Input("w", "i,o"), ArgSpec.Input("b", "o")], "n,o",
///     a => Linear.Forward(a[0], a[1], a[2]).MapBackward(g => new[] { g.Dx, g.Dw, g.Db })).RowWise('n');
/// </code>
/// <para>Shapes mix letters (sizes drawn per case, up to <see cref="MaxSize"/>) and digits (fixed sizes). A layer built
/// for fixed sizes writes them as digits, e.g. a user layer with a 32-wide hidden weight:
/// <c>[ArgSpec.Input("x", "n,i"), ArgSpec.Input("weight", "i,32"), ArgSpec.Input("bias", "32")], "n,32"</c>.</para>
/// </remarks>
public sealed class LayerSpec
{
    private LayerSpec(string name, ArgSpec[] args, ShapeSpec output, Func<Tensor[], Vjp<Tensor[]>> forward,
                      char? batchLetter, double epsilon, int maxSize)
    {
        Name = name;
        Args = args;
        OutputSpec = output;
        Forward = forward;
        BatchLetter = batchLetter;
        Epsilon = epsilon;
        MaxSize = maxSize;
    }

    /// <summary>The layer's name, shown in every message.</summary>
    public string Name { get; }

    /// <summary>The arguments, in the order forward receives them.</summary>
    public IReadOnlyList<ArgSpec> Args { get; }

    /// <summary>The output's shape, e.g. <c>"n,o"</c>; <c>""</c> for a scalar loss.</summary>
    public string Output => OutputSpec.Text;

    internal ShapeSpec OutputSpec { get; }

    /// <summary>The forward function: arguments in, output and backward closure out.</summary>
    public Func<Tensor[], Vjp<Tensor[]>> Forward { get; }

    /// <summary>The batch letter of a row-wise layer (whose row i of output depends only on row i of batched inputs), or null.</summary>
    public char? BatchLetter { get; }

    /// <summary>
    /// The finite-difference step ε. The default, 2⁻⁷, makes every perturbation <c>ε·t</c> of a grid value exact in float32,
    /// so <c>x + εt</c> and <c>x − εt</c> are exactly symmetric; directions have entries up to 2, so perturbations stay
    /// below 1/64, well inside the ¼ gap that <see cref="Domain.NonZero"/> leaves around a kink at 0.
    /// </summary>
    public double Epsilon { get; }

    /// <summary>The largest size drawn for a shape letter (default 4).</summary>
    public int MaxSize { get; }

    /// <summary>The default finite-difference step, 2⁻⁷ = 0.0078125.</summary>
    public const double DefaultEpsilon = 1.0 / 128;

    /// <summary>The arguments that get gradients, in order.</summary>
    internal ArgSpec[] Differentiable => Args.Where(a => !a.IsConstant).ToArray();

    internal IEnumerable<char> Letters =>
        Args.SelectMany(a => a.Dims.Letters).Concat(OutputSpec.Letters)
            .Concat(Args.Select(a => a.Domain.ClassLetter).OfType<char>()).Distinct();

    /// <summary>Describes a layer with any number of arguments.</summary>
    /// <param name="name">Shown in messages.</param>
    /// <param name="args">The arguments in the order <paramref name="forward"/> receives them.</param>
    /// <param name="output">The output shape, e.g. <c>"n,o"</c>, or <c>""</c> for a scalar.</param>
    /// <param name="forward">Returns the output and <c>dy ↦ gradients</c>, one per non-constant argument.</param>
    /// <exception cref="ArgumentException">A shape is malformed, there is no argument, or a labels domain names a letter no shape uses.</exception>
    public static LayerSpec Create(string name, ArgSpec[] args, string output, Func<Tensor[], Vjp<Tensor[]>> forward)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(forward);
        if (args.Length == 0 || args.Any(a => a is null))
            throw new ArgumentException($"{name}: a layer needs at least one argument and no null ones.", nameof(args));
        var spec = new LayerSpec(name, (ArgSpec[])args.Clone(), ShapeSpec.Parse(output, $"{name} output"), forward, null, DefaultEpsilon, 4);
        var shapeLetters = args.SelectMany(a => a.Dims.Letters).Concat(spec.OutputSpec.Letters).ToHashSet();
        foreach (var a in args)
            if (a.Domain.ClassLetter is { } c && !shapeLetters.Contains(c))
                throw new ArgumentException($"{name}: argument {a.Name} has {a.Domain} but no shape uses the letter '{c}'.", nameof(args));
        if (spec.Differentiable.Length == 0)
            throw new ArgumentException($"{name}: every argument is a constant, so there is no gradient to check.", nameof(args));
        return spec;
    }

    /// <summary>
    /// Describes an element-wise layer: one input <c>x</c> of shape <c>"n,d"</c> with values in <paramref name="domain"/>,
    /// output of the same shape, row-wise in <c>n</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static LayerSpec Elementwise(string name, Domain domain, Func<Tensor, Vjp<Tensor>> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return Create(name, [ArgSpec.Input("x", "n,d", domain)], "n,d", a => forward(a[0]).MapBackward(dx => new[] { dx }))
            .RowWise('n');
    }

    /// <summary>
    /// Declares the layer row-wise in <paramref name="batchLetter"/>, which adds the batch-additivity law: splitting the
    /// batch in two concatenates the outputs and the batched inputs' gradients, and sums the other arguments' gradients.
    /// </summary>
    /// <exception cref="ArgumentException">The output or no argument starts with that letter.</exception>
    public LayerSpec RowWise(char batchLetter)
    {
        if (!OutputSpec.StartsWith(batchLetter) || !Args.Any(a => a.Dims.StartsWith(batchLetter)))
            throw new ArgumentException(
                $"{Name}: a row-wise layer's output and at least one argument must start with its batch letter '{batchLetter}'; the output is \"{Output}\".",
                nameof(batchLetter));
        return new(Name, (ArgSpec[])Args, OutputSpec, Forward, batchLetter, Epsilon, MaxSize);
    }

    /// <summary>The same layer with finite-difference step <paramref name="epsilon"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is not in (0, 0.1].</exception>
    public LayerSpec WithEpsilon(double epsilon)
    {
        if (!(epsilon > 0 && epsilon <= 0.1))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"{Name}: epsilon must be in (0, 0.1]; got {epsilon}.");
        return new(Name, (ArgSpec[])Args, OutputSpec, Forward, BatchLetter, epsilon, MaxSize);
    }

    /// <summary>The same layer with shape letters drawn from 1…<paramref name="maxSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not in 1…64.</exception>
    public LayerSpec WithMaxSize(int maxSize)
    {
        if (maxSize is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(maxSize), $"{Name}: maxSize must be in 1…64; got {maxSize}.");
        return new(Name, (ArgSpec[])Args, OutputSpec, Forward, BatchLetter, Epsilon, maxSize);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}({string.Join(", ", Args)}) -> ({Output}){(BatchLetter is { } b ? $", row-wise in {b}" : "")}";
}
