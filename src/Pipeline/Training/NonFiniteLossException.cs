namespace Mlp.Training;

/// <summary>Training produced a NaN or infinite loss; the message names the epoch and step and suggests a smaller learning rate.</summary>
public sealed class NonFiniteLossException : ArithmeticException
{
    /// <summary>Creates the exception for a loss of <paramref name="loss"/> at <paramref name="epoch"/> and <paramref name="step"/> (both from 1).</summary>
    public NonFiniteLossException(double loss, int epoch, int step, int stepsPerEpoch, string optimizer)
        : base($"Training diverged: the loss became {loss} at epoch {epoch}, step {step} of {stepsPerEpoch} with {optimizer}. " +
               "Try a smaller learning rate (e.g. a tenth of it).")
    {
        Loss = loss;
        Epoch = epoch;
        Step = step;
    }

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch, from 1.</summary>
    public int Step { get; }
}
