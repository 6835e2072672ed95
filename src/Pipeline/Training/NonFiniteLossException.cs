namespace Mlp.Training;

/// <summary>
/// Training reached a non-finite state: a batch loss, the validation loss or a parameter became NaN or infinite. The
/// message names the epoch, the step and (for parameters) the first non-finite parameter by its <c>state_dict</c> name,
/// and suggests a smaller learning rate. Nothing non-finite was reported to the progress observer, so a checkpoint
/// written from the reports is the last good state.
/// </summary>
public class TrainingDivergedException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">What became non-finite, e.g. <c>the loss</c> or <c>parameter '0.weight'</c>.</param>
    /// <param name="value">The non-finite value.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="step">The step within the epoch, from 1.</param>
    /// <param name="stepsPerEpoch">Steps per epoch.</param>
    /// <param name="optimizer">The optimizer's description.</param>
    /// <param name="parameter">The first non-finite parameter's name, or null when a loss was non-finite.</param>
    public TrainingDivergedException(string what, double value, int epoch, int step, int stepsPerEpoch, string optimizer, string? parameter)
        : base($"Training diverged: {what} became {value} at epoch {epoch}, step {step} of {stepsPerEpoch} with {optimizer}. " +
               "Try a smaller learning rate (e.g. a tenth of it).")
    {
        Epoch = epoch;
        Step = step;
        Parameter = parameter;
    }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch, from 1 (the last step for a validation loss).</summary>
    public int Step { get; }

    /// <summary>The <c>state_dict</c> name of the first parameter that became non-finite, or null when it was a loss.</summary>
    public string? Parameter { get; }
}

/// <summary>Training produced a NaN or infinite batch or validation loss; the message names the epoch and step and suggests a smaller learning rate.</summary>
public sealed class NonFiniteLossException : TrainingDivergedException
{
    /// <summary>Creates the exception for a batch loss of <paramref name="loss"/> at <paramref name="epoch"/> and <paramref name="step"/> (both from 1).</summary>
    public NonFiniteLossException(double loss, int epoch, int step, int stepsPerEpoch, string optimizer)
        : this("the loss", loss, epoch, step, stepsPerEpoch, optimizer)
    {
    }

    /// <summary>Creates the exception for a non-finite loss described by <paramref name="what"/> (e.g. <c>the validation loss</c>).</summary>
    public NonFiniteLossException(string what, double loss, int epoch, int step, int stepsPerEpoch, string optimizer)
        : base(what, loss, epoch, step, stepsPerEpoch, optimizer, null)
    {
        Loss = loss;
    }

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; }
}
