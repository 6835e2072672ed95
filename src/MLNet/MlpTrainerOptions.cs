using Mlp.Training;

namespace Mlp.MLNet;

/// <summary>
/// Options for <see cref="MlpMulticlassTrainer"/>, in the style of ML.NET's trainer options: a multilayer perceptron
/// <c>Linear → ReLU → … → Linear</c> trained with cross-entropy on mini-batches.
/// PyTorch: <c>nn.Sequential(nn.Linear(m, h₁), nn.ReLU(), …, nn.Linear(h_last, c))</c> with <c>nn.CrossEntropyLoss</c>.
/// </summary>
public sealed class MlpTrainerOptions
{
    /// <summary>The features column: a known-size vector of Single (default <c>Features</c>).</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label column: a key (e.g. from <c>MapValueToKey</c>), or a UInt32, Int32 or Single class index (default <c>Label</c>).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Hidden layer sizes, input side first (default one layer of 100); empty for multinomial logistic regression.
    /// Ignored when <see cref="ModelSpec"/> is set.
    /// </summary>
    public int[] HiddenSizes { get; set; } = [100];

    /// <summary>
    /// The whole network as PyTorch writes it, e.g. <c>"Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)"</c>
    /// (<c>Mlp.Models.Model.Parse</c>: Linear, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Dropout,
    /// BatchNorm1d), or null (the default) for the perceptron of <see cref="HiddenSizes"/>, which it replaces. Its first
    /// layer must take the features and its last give one output per class; Dropout and BatchNorm1d train in training
    /// mode and score in evaluation mode (running statistics, no dropout), and the running statistics are saved with the model.
    /// </summary>
    public string? ModelSpec { get; set; }

    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>The learning rate (default 0.001, Adam's usual).</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Rows per mini-batch (default 64); the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// The seed for initialization and shuffling: the same seed, data and options give the same model, bit for bit.
    /// Null (the default) takes one from the MLContext's random when the trainer is created, as ML.NET's trainers do:
    /// <c>new MLContext(seed: 1)</c> then gives the same model every run.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// True (the default): training rows with a missing feature (NaN) or a missing label (key 0, NaN) are skipped and
    /// counted, as ML.NET's trainers do; the count goes to <c>mlContext.Log</c> and <see cref="MlpModelParameters.SkippedRows"/>.
    /// False: such a row throws <see cref="InvalidDataException"/> naming the column and row. Other bad values (infinite
    /// features, labels that are negative, fractional or outside the classes) always throw.
    /// </summary>
    public bool SkipRowsWithMissingValues { get; set; } = true;

    /// <summary>Called after each epoch (and its validation) with the epoch's metrics, on the training thread; null for none.</summary>
    public Action<EpochMetrics>? EpochCompleted { get; set; }

    /// <summary>The optimizer (default <see cref="MlpOptimizer.Adam"/>).</summary>
    public MlpOptimizer Optimizer { get; set; } = MlpOptimizer.Adam;

    /// <summary>SGD's momentum (default 0; ignored by Adam).</summary>
    public float Momentum { get; set; }

    /// <summary>
    /// Training data whose row count is known and whose features fit in this many bytes (default 512 MiB) is read once
    /// into memory and trained exactly as <c>Trainer.Fit</c> trains a <c>Dataset</c> (seeded permutation per epoch).
    /// Larger data, or data of unknown length, is streamed by cursor each epoch and never materialized; 0 always streams.
    /// </summary>
    public long MaxInMemoryBytes { get; set; } = 512L << 20;

    /// <summary>When streaming a view that cannot shuffle itself, rows held in the shuffle pool (default 4096; 1 disables shuffling).</summary>
    public int ShufflePoolRows { get; set; } = 4096;

    /// <summary>How the learning rate changes per epoch (default constant), as in <see cref="TrainingOptions.Schedule"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>The loss to minimize (default cross-entropy), as in <see cref="TrainingOptions.Loss"/>.</summary>
    public Loss Loss { get; set; } = Loss.CrossEntropy;

    /// <summary>Rows per forward pass when evaluating (default 4096), as in <see cref="TrainingOptions.EvaluationBatchSize"/>.</summary>
    public int EvaluationBatchSize { get; set; } = 4096;

    /// <summary>A copy that shares nothing mutable with this one.</summary>
    internal MlpTrainerOptions Clone()
    {
        var c = (MlpTrainerOptions)MemberwiseClone();
        c.HiddenSizes = (int[])HiddenSizes.Clone();
        return c;
    }

    /// <summary>The epochs, batch size, seed (<see cref="Seed"/> or <paramref name="contextSeed"/>), schedule, loss and evaluation batch size as Mlp's <see cref="TrainingOptions"/>.</summary>
    internal TrainingOptions ToTrainingOptions(int contextSeed) => new(Epochs, BatchSize, unchecked((ulong)(long)(Seed ?? contextSeed)))
    {
        Schedule = Schedule, Loss = Loss, EvaluationBatchSize = EvaluationBatchSize,
    };
}
