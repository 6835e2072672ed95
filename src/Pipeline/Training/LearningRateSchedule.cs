using System.Text.Json.Serialization;

namespace Mlp.Training;

/// <summary>
/// How the learning rate changes from epoch to epoch: a factor on the optimizer's base rate, stepped once per epoch
/// (PyTorch: a <c>torch.optim.lr_scheduler</c> whose <c>step()</c> is called after each epoch). One type per schedule:
/// <see cref="ConstantSchedule"/>, <see cref="StepSchedule"/>, <see cref="CosineSchedule"/>, <see cref="OneCycleSchedule"/>;
/// match on the type, never on a name.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "Kind")]
[JsonDerivedType(typeof(ConstantSchedule), "constant")]
[JsonDerivedType(typeof(CosineSchedule), "cosine")]
[JsonDerivedType(typeof(StepSchedule), "step")]
[JsonDerivedType(typeof(OneCycleSchedule), "one_cycle")]
public abstract record LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>The base rate every epoch (the default).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Cosine annealing to zero over the run: factor <c>½(1 + cos(π·e/E))</c> in epoch e (0-based) of E.</summary>
    public static LearningRateSchedule Cosine { get; } = new CosineSchedule();

    /// <summary>Step decay: factor <c>gamma^⌊e / every⌋</c> (PyTorch: <c>StepLR(step_size=every, gamma)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive or <paramref name="gamma"/> is not in (0, 1].</exception>
    public static LearningRateSchedule Step(int every, float gamma) => new StepSchedule(every, gamma).Checked();

    /// <summary>
    /// The one-cycle policy (PyTorch: <c>OneCycleLR(max_lr=base rate, total_steps=epochs, pct_start, div_factor,
    /// final_div_factor)</c> stepped per epoch): cosine warm-up from <c>1/divFactor</c> to 1 over the first
    /// <paramref name="pctStart"/> of the epochs, then cosine annealing to <c>1/(divFactor·finalDivFactor)</c>.
    /// </summary>
    /// <param name="pctStart">The fraction of the epochs spent warming up, in (0, 1) (PyTorch's default 0.3).</param>
    /// <param name="divFactor">The first epoch's rate is the base rate over this, ≥ 1 (default 25).</param>
    /// <param name="finalDivFactor">The last epoch's rate is the first's over this, ≥ 1 (default 1e4).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public static LearningRateSchedule OneCycle(double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4) =>
        new OneCycleSchedule(pctStart, divFactor, finalDivFactor).Checked();

    /// <summary>The factor on the base learning rate in epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>.</summary>
    public abstract double Factor(int epoch, int epochs);

    /// <summary>Throws when a field is out of range (a schedule built with <c>new</c> or read from a file).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it.</exception>
    public abstract void Validate();
}

/// <summary>The base rate every epoch.</summary>
public sealed record ConstantSchedule : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Factor(int epoch, int epochs) => 1.0;

    /// <inheritdoc/>
    public override void Validate()
    {
    }

    /// <inheritdoc/>
    public override string ToString() => "constant";
}

/// <summary>Cosine annealing to zero over the run: factor <c>½(1 + cos(π·e/E))</c> in epoch e (0-based) of E (PyTorch: <c>CosineAnnealingLR(T_max=E)</c>).</summary>
public sealed record CosineSchedule : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Factor(int epoch, int epochs) => 0.5 * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, epochs)));

    /// <inheritdoc/>
    public override void Validate()
    {
    }

    /// <inheritdoc/>
    public override string ToString() => "cosine";
}

/// <summary>Step decay: factor <c>Gamma^⌊e / StepEpochs⌋</c> (PyTorch: <c>StepLR(step_size=StepEpochs, gamma=Gamma)</c>).</summary>
/// <param name="StepEpochs">Multiply by <paramref name="Gamma"/> every this many epochs, &gt; 0.</param>
/// <param name="Gamma">The factor applied every <paramref name="StepEpochs"/> epochs, in (0, 1].</param>
public sealed record StepSchedule(int StepEpochs, float Gamma) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Factor(int epoch, int epochs) => Math.Pow(Gamma, epoch / Math.Max(1, StepEpochs));

    /// <inheritdoc/>
    public override void Validate()
    {
        if (StepEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(StepEpochs), $"step schedule: every must be positive; got {StepEpochs}.");
        if (!(Gamma > 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), $"step schedule: gamma must be in (0, 1]; got {Gamma}.");
    }

    internal StepSchedule Checked()
    {
        Validate();
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"step(every {StepEpochs}, gamma {Gamma})";
}

/// <summary>
/// The one-cycle policy, stepped per epoch, exactly as PyTorch's <c>OneCycleLR(max_lr, total_steps=epochs, pct_start,
/// anneal_strategy='cos', div_factor, final_div_factor)</c> with the base rate as <c>max_lr</c>: two cosine phases,
/// <c>1/DivFactor → 1</c> up to epoch <c>PctStart·E − 1</c>, then <c>1 → 1/(DivFactor·FinalDivFactor)</c> at epoch E − 1.
/// </summary>
/// <param name="PctStart">The fraction of the epochs spent warming up, in (0, 1).</param>
/// <param name="DivFactor">The first epoch's rate is the base rate over this, ≥ 1.</param>
/// <param name="FinalDivFactor">The last epoch's rate is the first's over this, ≥ 1.</param>
public sealed record OneCycleSchedule(double PctStart, double DivFactor, double FinalDivFactor) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Factor(int epoch, int epochs)
    {
        double initial = 1 / DivFactor, min = initial / FinalDivFactor;
        double warmEnd = PctStart * epochs - 1, end = epochs - 1;
        return epoch <= warmEnd ? Anneal(initial, 1, epoch, 0, warmEnd) : Anneal(1, min, epoch, warmEnd, end);
    }

    // PyTorch's _annealing_cos between two phase ends; a phase of zero length is at its end.
    private static double Anneal(double from, double to, double step, double start, double end)
    {
        double pct = end > start ? (step - start) / (end - start) : 1;
        return to + (from - to) / 2 * (Math.Cos(Math.PI * pct) + 1);
    }

    /// <inheritdoc/>
    public override void Validate()
    {
        if (!(PctStart > 0 && PctStart < 1)) throw new ArgumentOutOfRangeException(nameof(PctStart), $"one-cycle schedule: pctStart must be in (0, 1); got {PctStart}.");
        if (!(DivFactor >= 1) || !double.IsFinite(DivFactor)) throw new ArgumentOutOfRangeException(nameof(DivFactor), $"one-cycle schedule: divFactor must be ≥ 1 and finite; got {DivFactor}.");
        if (!(FinalDivFactor >= 1) || !double.IsFinite(FinalDivFactor)) throw new ArgumentOutOfRangeException(nameof(FinalDivFactor), $"one-cycle schedule: finalDivFactor must be ≥ 1 and finite; got {FinalDivFactor}.");
    }

    internal OneCycleSchedule Checked()
    {
        Validate();
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"one-cycle(pct_start {PctStart}, div {DivFactor}, final div {FinalDivFactor})");
}
