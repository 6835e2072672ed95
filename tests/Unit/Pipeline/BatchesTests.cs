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

    [Theory]
    [InlineData(64, 0)]
    [InlineData(64, 5)]
    [InlineData(64, 15)]    // only the last batch left: nothing to gather ahead
    [InlineData(64, 16)]    // a resumed run whose epoch is already done: no batches
    [InlineData(37, 0)]     // a last batch of 1000 − 27·37 = 1 row
    [InlineData(1000, 0)]   // one batch: nothing to gather ahead
    public void A_dataset_source_gives_the_shuffled_rows_and_labels_in_order(int batchSize, int skip)
    {
        // The source gathers the next batch on another thread while the caller trains on this one: the batches must be
        // exactly those of Batches.ForEpoch, in order, from the skipped position on.
        var x = Tensor.Arange(1000 * 3).Reshape(1000, 3);
        int[] labels = [.. Enumerable.Range(0, 1000).Select(i => i % 10)];
        var source = BatchSource.From(new Mlp.Data.Dataset(x, labels, "rows"));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int[][] expected = Batches.ForEpoch(1000, batchSize, 11, epoch);
            var got = source.Epoch(epoch, batchSize, 11, skip).ToArray();
            Assert.Equal(expected.Length - skip, got.Length);
            for (int b = 0; b < got.Length; b++)
            {
                int[] idx = expected[b + skip];
                Assert.Equal(idx.SelectMany(r => new[] { 3f * r, 3f * r + 1, 3f * r + 2 }), got[b].X.ToArray());
                Assert.Equal(idx.Select(r => r % 10), got[b].Labels);
            }
        }
    }

    [Fact]
    public void A_dataset_source_can_be_left_early_and_read_again()
    {
        var x = Tensor.Arange(500 * 4).Reshape(500, 4);
        var source = BatchSource.From(new Mlp.Data.Dataset(x, [.. Enumerable.Range(0, 500).Select(i => i % 3)], "rows"));
        var first = source.Epoch(0, 50, 2, 0).Take(3).ToArray();   // stops while the fourth batch is being gathered
        var again = source.Epoch(0, 50, 2, 0).ToArray();
        Assert.Equal(10, again.Length);
        for (int b = 0; b < first.Length; b++) Assert.Equal(first[b].X.ToArray(), again[b].X.ToArray());
    }
}

