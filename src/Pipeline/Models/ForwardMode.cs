namespace Mlp.Models;

/// <summary>
/// How a model runs: in training (batch statistics, dropout on, running statistics advanced) or in evaluation
/// (running statistics, dropout off). PyTorch: <c>model.train()</c> / <c>model.eval()</c>, as a value passed to each
/// forward instead of a flag stored in the modules.
/// </summary>
/// <remarks>
/// A training forward carries a <see cref="Seed"/>: the random layers' draws (dropout masks) are a pure function of it
/// and the layer's index, so the same seed gives the same bits. <c>Trainer.Fit</c> derives one seed per step from the
/// run's seed, epoch and step (<see cref="ForStep"/>), so a run resumed from a checkpoint draws what an uninterrupted
/// run draws.
/// </remarks>
public readonly record struct ForwardMode
{
    private ForwardMode(bool isTraining, ulong seed)
    {
        IsTraining = isTraining;
        Seed = seed;
    }

    /// <summary>True in training mode.</summary>
    public bool IsTraining { get; }

    /// <summary>The seed of this forward's random draws (training only; 0 in evaluation).</summary>
    public ulong Seed { get; }

    /// <summary>Evaluation mode (PyTorch: <c>model.eval()</c>): deterministic, no state changes. The default value.</summary>
    public static ForwardMode Eval => default;

    /// <summary>Training mode (PyTorch: <c>model.train()</c>) whose random draws come from <paramref name="seed"/>.</summary>
    public static ForwardMode Train(ulong seed) => new(true, seed);

    /// <summary>
    /// The training mode of step <paramref name="step"/> of epoch <paramref name="epoch"/> of a run seeded with
    /// <paramref name="runSeed"/>: what <c>Trainer.Fit</c> uses, a pure function of the three (so a resumed run draws
    /// the same masks), and a stream separate from the shuffle's.
    /// </summary>
    public static ForwardMode ForStep(ulong runSeed, int epoch, int step) =>
        Train(new Rng(runSeed).Fork(StepStream).Fork((ulong)epoch).Fork((ulong)step).NextUInt64());

    /// <summary>The mode layer <paramref name="index"/> of a model runs in: the same mode, with a seed of its own in training.</summary>
    public ForwardMode ForLayer(int index) => IsTraining ? Train(new Rng(Seed).Fork((ulong)index).NextUInt64()) : this;

    /// <summary>A fresh random stream from <see cref="Seed"/> (the same numbers each call).</summary>
    public Rng Rng() => new(Seed);

    private const ulong StepStream = 0x64726F706F7574UL; // "dropout": keeps the per-step stream apart from the shuffle's

    /// <inheritdoc/>
    public override string ToString() => IsTraining ? $"train(seed {Seed})" : "eval";
}
