namespace Mlp.Testing;

/// <summary>
/// One argument of a layer as the law kit sees it: a name, a shape written with letters (sizes drawn per case) and
/// digits (fixed sizes), the values it may hold, and whether backward returns a gradient for it.
/// </summary>
/// <remarks>
/// Shapes are comma-separated dimensions: <c>"n,i"</c> is (n, i); <c>"n,1"</c> has a fixed second dimension;
/// <c>""</c> is a scalar. The same letter in two shapes is the same size, so <c>x "n,i"</c>, <c>w "i,o"</c>,
/// <c>b "o"</c> describe a linear layer.
/// <para>A layer whose sizes are fixed — a model built for 32 hidden units, whose parameters must be (i, 32) and (32) —
/// is described with digits where the size is fixed: <c>x "n,i"</c>, <c>weight "i,32"</c>, <c>bias "32"</c>, output
/// <c>"n,32"</c>. A letter there would draw sizes 1…<see cref="LayerSpec.MaxSize"/> that the layer refuses (the
/// failure is reported under <see cref="VjpLaw.Throws"/> with this advice).</para>
/// </remarks>
public sealed class ArgSpec
{
    private ArgSpec(string name, string shape, Domain domain, bool isConstant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(domain);
        Name = name;
        Shape = shape;
        Dims = ShapeSpec.Parse(shape, name);
        Domain = domain;
        IsConstant = isConstant;
    }

    /// <summary>The argument's name, used in messages (e.g. <c>x</c>, <c>w</c>, <c>target</c>).</summary>
    public string Name { get; }

    /// <summary>The shape as written, e.g. <c>"n,i"</c>.</summary>
    public string Shape { get; }

    /// <summary>The values it may hold.</summary>
    public Domain Domain { get; }

    /// <summary>True for an argument that gets no gradient (a target, labels); backward returns nothing for it.</summary>
    public bool IsConstant { get; }

    internal ShapeSpec Dims { get; }

    /// <summary>A differentiable input with values in <see cref="Domain.Any"/>.</summary>
    /// <param name="name">The name shown in messages.</param>
    /// <param name="shape">Comma-separated letters and digits, e.g. <c>"n,i"</c>.</param>
    /// <exception cref="ArgumentException">The shape is malformed; the message names the argument.</exception>
    public static ArgSpec Input(string name, string shape) => new(name, shape, Domain.Any, false);

    /// <summary>A differentiable input with values in <paramref name="domain"/>.</summary>
    /// <exception cref="ArgumentException">The shape is malformed; the message names the argument.</exception>
    public static ArgSpec Input(string name, string shape, Domain domain) => new(name, shape, domain, false);

    /// <summary>A constant argument (a target or labels): generated and shown like an input, but never differentiated.</summary>
    /// <exception cref="ArgumentException">The shape is malformed; the message names the argument.</exception>
    public static ArgSpec Constant(string name, string shape, Domain domain) => new(name, shape, domain, true);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Shape}){(IsConstant ? " constant" : "")}, {Domain}";
}
