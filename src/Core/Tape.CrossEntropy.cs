namespace Mlp;

public sealed partial class Tape
{
    /// <summary>Records <see cref="Mlp.LogSoftmax.Forward"/>: row-wise <c>x − logsumexp(x)</c>.</summary>
    public Node LogSoftmax(Node x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (y, back) = Mlp.LogSoftmax.Forward(x.Value);
        return Record(y, [x], dy => [back(dy)]);
    }

    /// <summary>Records <see cref="Mlp.CrossEntropy.Forward"/> of <paramref name="logits"/> against constant labels (which get no gradient).</summary>
    public Node CrossEntropy(Node logits, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var (loss, back) = Mlp.CrossEntropy.Forward(logits.Value, labels);
        return Record(loss, [logits], dl => [back(dl)]);
    }
}
