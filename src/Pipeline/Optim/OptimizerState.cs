using Mlp.Models;

namespace Mlp.Optim;

/// <summary>
/// An optimizer's immutable state: how many steps it has taken and its per-parameter buffers by PyTorch's names
/// (<c>momentum_buffer</c> for SGD, <c>exp_avg</c> and <c>exp_avg_sq</c> for Adam). PyTorch: <c>optimizer.state_dict()</c>.
/// </summary>
public sealed class OptimizerState
{
    private readonly KeyValuePair<string, Parameters>[] buffers;

    /// <summary>A state after <paramref name="step"/> steps with the given named buffers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public OptimizerState(long step, IEnumerable<KeyValuePair<string, Parameters>> buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(buffers);
        Step = step;
        this.buffers = buffers.ToArray();
    }

    /// <summary>The number of steps taken (PyTorch: <c>state['step']</c>).</summary>
    public long Step { get; }

    /// <summary>The buffers, by name, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, Parameters>> Buffers => buffers;

    /// <summary>The buffer called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such buffer; the message lists the names.</exception>
    public Parameters Buffer(string name)
    {
        foreach (var kv in buffers) if (kv.Key == name) return kv.Value;
        throw new KeyNotFoundException($"No optimizer buffer '{name}'. Buffers: {string.Join(", ", buffers.Select(b => b.Key))}.");
    }

    /// <summary>True when both have the same step and bitwise-identical buffers.</summary>
    public bool BitwiseEquals(OptimizerState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Step != Step || other.buffers.Length != buffers.Length) return false;
        for (int i = 0; i < buffers.Length; i++)
            if (buffers[i].Key != other.buffers[i].Key || !buffers[i].Value.BitwiseEquals(other.buffers[i].Value)) return false;
        return true;
    }
}
