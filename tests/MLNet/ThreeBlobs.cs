using Mlp.Data;

namespace Mlp.MLNet.Tests;

/// <summary>Small labelled rows for the training-door tests: three classes of 4-feature rows around distinct centres.</summary>
internal static class ThreeBlobs
{
    /// <summary><paramref name="n"/> rows, labels 0, 1, 2 in turn, feature j of a row centred at 2 when j is its label, else 0.</summary>
    public static Dataset Rows(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var labels = new int[n];
        var x = Tensor.Create([n, 4], buf =>
        {
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % 3;
                for (int j = 0; j < 4; j++) buf[4 * i + j] = (j == labels[i] ? 2f : 0f) + (float)rng.NextNormal();
            }
        });
        return new Dataset(x, labels, "three blobs");
    }
}
