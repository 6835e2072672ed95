using Mlp.Training;

namespace Mlp.Tests.Pipeline;

public class BatchesTests
{
    [Fact]
    public void An_epoch_visits_every_row_exactly_once()
    {
        var batches = Batches.ForEpoch(1000, 64, seed: 7, epoch: 0);
        Assert.Equal(Enumerable.Range(0, 1000), batches.SelectMany(b => b).Order());
    }

    [Fact]
    public void The_last_partial_batch_is_kept()
    {
        var batches = Batches.ForEpoch(1000, 64, seed: 7, epoch: 0);
        Assert.Equal(16, batches.Length);                        // ⌈1000/64⌉
        Assert.All(batches[..^1], b => Assert.Equal(64, b.Length));
        Assert.Equal(1000 - 15 * 64, batches[^1].Length);        // 40
        Assert.Equal(16, Batches.PerEpoch(1000, 64));
    }

    [Fact]
    public void The_same_seed_and_epoch_give_the_same_batches()
    {
        Assert.Equal(Batches.ForEpoch(500, 32, 3, 2), Batches.ForEpoch(500, 32, 3, 2));
    }

    [Fact]
    public void Different_epochs_and_seeds_shuffle_differently()
    {
        var e0 = Batches.Permutation(500, 3, 0);
        Assert.NotEqual(e0, Batches.Permutation(500, 3, 1));
        Assert.NotEqual(e0, Batches.Permutation(500, 4, 0));
        Assert.NotEqual(Enumerable.Range(0, 500), e0);
    }

    [Fact]
    public void A_batch_larger_than_the_dataset_is_one_batch_of_everything()
    {
        var batches = Batches.ForEpoch(10, 64, 1, 0);
        Assert.Single(batches);
        Assert.Equal(10, batches[0].Length);
    }
}
