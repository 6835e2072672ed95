namespace Mlp.Training;

/// <summary>A loss as a value: a name and a pure function <c>(output, labels) → (scalar loss, dl ↦ d output)</c>.</summary>
/// <param name="Name">How it prints, e.g. <c>cross_entropy</c> (PyTorch's functional name).</param>
/// <param name="Forward">The loss and its vjp.</param>
public sealed record Loss(string Name, Func<Tensor, int[], Vjp<Tensor>> Forward)
{
    /// <summary>Records the loss of <paramref name="output"/> against <paramref name="labels"/> on the tape: a scalar node whose backward is <see cref="Forward"/>'s.</summary>
    /// <exception cref="ArgumentException">The output and labels do not fit the loss (the message names the shapes).</exception>
    public Node Record(Tape tape, Node output, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        var (loss, back) = Forward(output.Value, labels);
        return tape.Record(loss, [output], dl => [back(dl)]);
    }

    /// <summary>Cross-entropy of (n, c) logits against class labels (PyTorch: <c>F.cross_entropy</c>). The default.</summary>
    public static Loss CrossEntropy { get; } = new("cross_entropy", Mlp.CrossEntropy.Forward);

    /// <summary>
    /// The lesson's MSE of an (n, 1) output against the labels as floats (PyTorch: <c>F.mse_loss(out.squeeze(-1), y.float())</c>).
    /// </summary>
    public static Loss Mse { get; } = new("mse", (output, labels) =>
        Mlp.Mse.Forward(output, Tensor.Create([labels.Length], d => { for (int i = 0; i < d.Length; i++) d[i] = labels[i]; })));
}
