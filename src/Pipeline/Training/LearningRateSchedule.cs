namespace Mlp.Training;

/// <summary>
/// How the learning rate changes from epoch to epoch: a factor on the optimizer's base rate
/// (PyTorch: <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> / <c>StepLR</c>, stepped once per epoch).
/// </summary>
/// <param name="Kind"><c>constant</c>, <c>cosine</c> or <c>step</c>.</param>
/// <param name="StepEpochs">For <c>step</c>: multiply by <paramref name="Gamma"/> every this many epochs.</param>
/// <param name="Gamma">For <c>step</c>: the factor applied every <paramref name="StepEpochs"/> epochs.</param>
public sealed record LearningRateSchedule(string Kind, int StepEpochs, float Gamma)
{
    /// <summary>The base rate every epoch (the default).</summary>
    public static LearningRateSchedule Constant { get; } = new("constant", 0, 1);

    /// <summary>Cosine annealing to zero over the run: factor <c>½(1 + cos(π·e/E))</c> in epoch e (0-based) of E.</summary>
    public static LearningRateSchedule Cosine { get; } = new("cosine", 0, 1);

    /// <summary>Step decay: factor <c>gamma^⌊e / every⌋</c> (PyTorch: <c>StepLR(step_size=every, gamma)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive or <paramref name="gamma"/> is not in (0, 1].</exception>
    public static LearningRateSchedule Step(int every, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"gamma must be in (0, 1]; got {gamma}.");
        return new("step", every, gamma);
    }

    /// <summary>The factor on the base learning rate in epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>.</summary>
    /// <exception cref="InvalidOperationException">The kind is unknown.</exception>
    public double Factor(int epoch, int epochs) => Kind switch
    {
        "constant" => 1.0,
        "cosine" => 0.5 * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, epochs))),
        "step" => Math.Pow(Gamma, epoch / Math.Max(1, StepEpochs)),
        _ => throw new InvalidOperationException($"Unknown learning-rate schedule '{Kind}'; known: constant, cosine, step."),
    };

    /// <inheritdoc/>
    public override string ToString() => Kind == "step" ? $"step(every {StepEpochs}, gamma {Gamma})" : Kind;
}
