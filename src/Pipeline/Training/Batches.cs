namespace Mlp.Training;

/// <summary>
/// Seeded mini-batches: each epoch is a fresh permutation of the rows cut into batches of a fixed size, the last
/// (partial) batch kept. PyTorch: <c>DataLoader(ds, batch_size, shuffle=True, drop_last=False, generator=…)</c>.
/// </summary>
/// <remarks>
/// The permutation for an epoch depends only on (seed, epoch), never on what ran before, so a run resumed at any
/// epoch and step sees exactly the batches an uninterrupted run would.
/// </remarks>
public static class Batches
{
    // Keeps the shuffle stream apart from the init stream when both use the same seed.
    private const ulong ShuffleStream = 0x5348_5546_464C_4521UL;

    /// <summary>The number of batches per epoch, <c>⌈count / batchSize⌉</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is negative or batchSize is not positive.</exception>
    public static int PerEpoch(int count, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return (int)(((long)count + batchSize - 1) / batchSize);
    }

    /// <summary>The row order of epoch <paramref name="epoch"/> (0-based): a permutation of 0…count−1.</summary>
    public static int[] Permutation(int count, ulong seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return new Rng(seed ^ ShuffleStream).Fork((ulong)epoch).Permutation(count);
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based): row indices, <paramref name="batchSize"/> per batch
    /// except possibly the last.
    /// </summary>
    /// <param name="count">Rows in the dataset.</param>
    /// <param name="batchSize">Rows per batch, &gt; 0.</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the epoch is negative, or the batch size is 0.</exception>
    public static int[][] ForEpoch(int count, int batchSize, ulong seed, int epoch)
    {
        int nb = PerEpoch(count, batchSize);
        int[] perm = Permutation(count, seed, epoch);
        var batches = new int[nb][];
        for (int b = 0; b < nb; b++)
            batches[b] = perm.AsSpan(b * batchSize, Math.Min(batchSize, count - b * batchSize)).ToArray();
        return batches;
    }
}
