namespace Mlp.Data;

/// <summary>Finds and loads a dataset from a path: an IDX directory or the lesson's <c>mnist.pkl.gz</c>.</summary>
public static class DataLoader
{
    /// <summary>How to get a dataset, for messages.</summary>
    public const string HowToGetData =
        "Get Fashion-MNIST with 'apt-get install dataset-fashion-mnist' (installs /usr/share/datasets/fashion-mnist), " +
        "or pass --data DIR (a directory with IDX files such as train-images-idx3-ubyte.gz) or --data FILE (the lesson's mnist.pkl.gz).";

    private const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte";
    private const string TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";
    private static readonly string[] PickleNames = ["mnist.pkl.gz", "mnist.pkl"];

    /// <summary>
    /// Loads splits from <paramref name="path"/>: a directory with IDX files (<c>train-images-idx3-ubyte[.gz]</c>,
    /// <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-…</c>) or a <c>.pkl.gz</c>/<c>.pkl</c> file. Pixels are scaled to [0, 1].
    /// The lesson's split: train = first 50000 rows of the training file, valid = the rest, test = the test file
    /// (a training file of at most 50000 rows is split 5/6 : 1/6); with only a test file, train = its first 80%,
    /// valid = the last 20%, and no test split. <see cref="DatasetSplits.Description"/> says which was done.
    /// A pickle's own train/valid/test splits are kept as they are.
    /// </summary>
    /// <param name="path">A directory of IDX files, or a pickle file.</param>
    /// <exception cref="FileNotFoundException">Nothing usable is at <paramref name="path"/>; the message says how to get a dataset.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and the problem.</exception>
    public static DatasetSplits Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return LoadDirectory(path);
        if (File.Exists(path)) return MnistPickleReader.Read(path);
        throw new FileNotFoundException($"{path}: no such file or directory. {HowToGetData}", path);
    }

    /// <summary>Loads splits from IDX streams (gzipped or raw) for the training and/or test files, split as <see cref="Load"/> does.</summary>
    /// <param name="trainImages">Training images, or null.</param>
    /// <param name="trainLabels">Training labels, or null (null exactly when <paramref name="trainImages"/> is).</param>
    /// <param name="testImages">Test images, or null.</param>
    /// <param name="testLabels">Test labels, or null (null exactly when <paramref name="testImages"/> is).</param>
    /// <param name="sourceName">A name for messages, e.g. "embedded Fashion-MNIST t10k".</param>
    /// <exception cref="ArgumentException">Neither pair is given, or an images stream comes without its labels or the reverse.</exception>
    /// <exception cref="InvalidDataException">A stream is malformed or images and labels disagree in count; the message names it.</exception>
    public static DatasetSplits FromIdxStreams(Stream? trainImages, Stream? trainLabels, Stream? testImages, Stream? testLabels, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if ((trainImages == null) != (trainLabels == null))
            throw new ArgumentException($"{sourceName}: training images and labels must both be given or both be null.", nameof(trainImages));
        if ((testImages == null) != (testLabels == null))
            throw new ArgumentException($"{sourceName}: test images and labels must both be given or both be null.", nameof(testImages));
        if (trainImages == null && testImages == null)
            throw new ArgumentException($"{sourceName}: no training or test streams given.", nameof(trainImages));
        var train = trainImages == null ? null : ReadPair(trainImages, trainLabels!, $"{sourceName} {TrainImages}", $"{sourceName} {TrainLabels}");
        var test = testImages == null ? null : ReadPair(testImages, testLabels!, $"{sourceName} {TestImages}", $"{sourceName} {TestLabels}");
        return Split(train, test, note: "");
    }

    private static DatasetSplits LoadDirectory(string dir)
    {
        string? trainImages = Find(dir, TrainImages), trainLabels = Find(dir, TrainLabels);
        string? testImages = Find(dir, TestImages), testLabels = Find(dir, TestLabels);
        if (trainImages == null && testImages == null)
        {
            string? pickle = PickleNames.Select(p => Path.Combine(dir, p)).FirstOrDefault(File.Exists);
            if (pickle != null) return MnistPickleReader.Read(pickle);
            throw new FileNotFoundException(
                $"{dir}: no dataset here: neither IDX images ({TrainImages}[.gz], {TestImages}[.gz]) nor mnist.pkl.gz. {HowToGetData}", dir);
        }
        RequireLabels(dir, trainImages, trainLabels, TrainLabels);
        RequireLabels(dir, testImages, testLabels, TestLabels);
        // A lone training-labels file (as in a test-set-only MNIST folder) is of no use without its images.
        string note = trainImages == null && trainLabels != null ? $" ({Path.GetFileName(trainLabels)} ignored: no {TrainImages} beside it)" : "";
        var train = trainImages == null ? null : ReadPair(trainImages, trainLabels!);
        var test = testImages == null ? null : ReadPair(testImages, testLabels!);
        return Split(train, test, note);
    }

    private static string? Find(string dir, string baseName) =>
        new[] { baseName + ".gz", baseName }.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);

    private static void RequireLabels(string dir, string? images, string? labels, string labelsName)
    {
        if (images != null && labels == null)
            throw new FileNotFoundException($"{images}: found images but no {labelsName}[.gz] beside them in {dir}. {HowToGetData}",
                                            Path.Combine(dir, labelsName + ".gz"));
    }

    private sealed record Pair(Tensor X, int[] Labels, string ImagesName);

    private static Pair ReadPair(string imagesPath, string labelsPath)
    {
        using var images = File.OpenRead(imagesPath);
        using var labels = File.OpenRead(labelsPath);
        return ReadPair(images, labels, imagesPath, labelsPath);
    }

    private static Pair ReadPair(Stream images, Stream labels, string imagesName, string labelsName)
    {
        Tensor x = IdxReader.ReadImages(images, imagesName);
        int[] y = IdxReader.ReadLabels(labels, labelsName);
        if (x.Shape[0] != y.Length)
            throw DataFileError.Invalid(imagesName, $"has {x.Shape[0]} images but {labelsName} has {y.Length} labels; the counts must agree.");
        if (y.Length < 2)
            throw DataFileError.Invalid(imagesName, $"has {y.Length} image(s); splitting into train and valid needs at least 2.");
        return new Pair(x, y, imagesName);
    }

    private static DatasetSplits Split(Pair? train, Pair? test, string note)
    {
        // Checked here, before any training: a model trained on one image size cannot be tested on another.
        if (train != null && test != null && train.X.Shape[1] != test.X.Shape[1])
            throw DataFileError.Invalid(test.ImagesName, $"has {test.X.Shape[1]} pixels per image but {train.ImagesName} has {train.X.Shape[1]}; " +
                                                         "training and test images must be the same size.");
        var all = new Dataset(train?.X ?? test!.X, train?.Labels ?? test!.Labels, train?.ImagesName ?? test!.ImagesName);
        int n = all.Count;
        int nTrain;
        string how;
        if (train != null)
        {
            nTrain = n > Mlp.Lessons.Lesson.TrainRows ? Mlp.Lessons.Lesson.TrainRows : n * 5 / 6;
            how = n > Mlp.Lessons.Lesson.TrainRows
                ? $"train = first {nTrain} rows of {train.ImagesName} ({n} rows), valid = the remaining {n - nTrain}"
                : $"train = first {nTrain} rows (5/6) of {train.ImagesName} ({n} rows, not more than {Mlp.Lessons.Lesson.TrainRows}), valid = the last {n - nTrain} (1/6)";
            how += test != null ? $", test = all {test.Labels.Length} rows of {test.ImagesName}" : ", no test split (no t10k files)";
        }
        else
        {
            nTrain = n * 4 / 5;
            how = $"only test files: train = first {nTrain} rows (80%) of {test!.ImagesName} ({n} rows), valid = the last {n - nTrain} (20%), no test split";
        }
        var trainSet = all.Slice(0, nTrain, $"{all.Source} rows 0..{nTrain - 1}");
        var validSet = all.Slice(nTrain, n - nTrain, $"{all.Source} rows {nTrain}..{n - 1}");
        Dataset? testSet = train != null && test != null ? new Dataset(test.X, test.Labels, test.ImagesName) : null;
        return new DatasetSplits(trainSet, validSet, testSet, how + note);
    }
}
