namespace Mlp.Testing;

/// <summary>Adapts a layer's <see cref="Vjp{TGrads}"/> to the array form the law kit checks.</summary>
public static class VjpExtensions
{
    /// <summary>
    /// The same output with backward followed by <paramref name="map"/>, e.g.
    /// <c>Linear.Forward(x, w, b).MapBackward(g =&gt; new[] { g.Dx, g.Dw, g.Db })</c>.
    /// </summary>
    public static Vjp<TOut> MapBackward<TGrads, TOut>(this Vjp<TGrads> vjp, Func<TGrads, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var back = vjp.Backward;
        return new(vjp.Output, dy => map(back(dy)));
    }
}
