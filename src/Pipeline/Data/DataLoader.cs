namespace Mlp.Data;

/// <summary>Finds and loads a dataset from a path: an IDX directory or the lesson's <c>mnist.pkl.gz</c>.</summary>
public static class DataLoader
{
    /// <summary>
    /// Loads splits from <paramref name="path"/>: a directory with IDX files (<c>train-images-idx3-ubyte[.gz]</c>,
    /// <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-…</c>) or a <c>.pkl.gz</c>/<c>.pkl</c> file. Pixels are scaled to [0, 1].
    /// The lesson's split: train = first 50000 rows of the training file, valid = the rest, test = the test file;
    /// with only a test file, train = its first 80%, valid = the last 20%, and no test split.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing usable is at <paramref name="path"/>; the message says how to get a dataset.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and the problem.</exception>
    public static DatasetSplits Load(string path) => throw new NotImplementedException();

    /// <summary>Loads splits from IDX streams (gzipped or raw) for the training and/or test files, split as <see cref="Load"/> does.</summary>
    /// <param name="trainImages">Training images, or null.</param>
    /// <param name="trainLabels">Training labels, or null.</param>
    /// <param name="testImages">Test images, or null.</param>
    /// <param name="testLabels">Test labels, or null.</param>
    /// <param name="sourceName">A name for messages.</param>
    public static DatasetSplits FromIdxStreams(Stream? trainImages, Stream? trainLabels, Stream? testImages, Stream? testLabels, string sourceName) =>
        throw new NotImplementedException();
}
