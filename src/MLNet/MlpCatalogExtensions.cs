using Microsoft.ML;

namespace Mlp.MLNet;

/// <summary>Adds Mlp's multilayer perceptron to ML.NET's multiclass trainers catalog.</summary>
public static class MlpCatalogExtensions
{
    /// <summary>
    /// A multilayer perceptron <c>Linear → ReLU → … → Linear</c> trained with cross-entropy and Adam, e.g.
    /// <c>mlContext.MulticlassClassification.Trainers.Mlp()</c> or <c>…Trainers.Mlp(hiddenSizes: [256], epochs: 20)</c>.
    /// Its transformer adds <c>Score</c> (softmax probabilities, one per class) and <c>PredictedLabel</c> (a key with the
    /// label's key values). The seed is the MLContext's; progress goes to <c>mlContext.Log</c>. For every other setting
    /// use the <see cref="MlpTrainerOptions"/> overload.
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column: a key, or a UInt32, Int32 or Single class index.</param>
    /// <param name="featureColumnName">The features column: a known-size vector of Single.</param>
    /// <param name="hiddenSizes">Hidden layer sizes, input side first; null for one layer of 100, empty for none.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <exception cref="ArgumentException">An argument is out of range (non-positive sizes, epochs or batch size, a learning rate that is not positive and finite).</exception>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenSizes = null,
        int epochs = 10, float learningRate = 1e-3f, int batchSize = 64) =>
        catalog.Mlp(new MlpTrainerOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, HiddenSizes = hiddenSizes ?? [100],
            Epochs = epochs, LearningRate = learningRate, BatchSize = batchSize,
        });

    /// <summary>
    /// A multilayer perceptron trained with cross-entropy, e.g.
    /// <c>mlContext.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [100], Epochs = 10 })</c>.
    /// Its transformer adds <c>Score</c> (softmax probabilities, one per class) and <c>PredictedLabel</c> (a key with the label's key values).
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">Architecture, training recipe and column names; copied, so later changes have no effect.
    /// A null <see cref="MlpTrainerOptions.Seed"/> takes one from the MLContext's random, as ML.NET's trainers do.</param>
    /// <exception cref="ArgumentException">An option is out of range (non-positive sizes, epochs or batch size, a learning rate that is not positive and finite).</exception>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MlpMulticlassTrainer(MlNetHost.Environment(catalog), options);
    }

    /// <summary>
    /// Cancels what runs on <paramref name="mlContext"/>, as ML.NET's own (internal) <c>MLContext.CancelExecution</c>:
    /// an Mlp trainer stops after the step in flight and its <c>Fit</c> throws <see cref="OperationCanceledException"/>;
    /// ML.NET's components see the cancellation too. The context stays cancelled: use a new one to train again.
    /// </summary>
    /// <param name="mlContext">The context to cancel.</param>
    public static void CancelExecution(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        MlNetHost.Cancel(mlContext);
    }
}
