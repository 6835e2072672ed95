using Microsoft.ML;

namespace Mlp.MLNet;

/// <summary>Adds Mlp's multilayer perceptron to ML.NET's multiclass trainers catalog.</summary>
public static class MlpCatalogExtensions
{
    /// <summary>
    /// A multilayer perceptron trained with cross-entropy, e.g.
    /// <c>mlContext.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [100], Epochs = 10 })</c>.
    /// Its transformer adds <c>Score</c> (softmax probabilities, one per class) and <c>PredictedLabel</c> (a key with the label's key values).
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">Architecture, training recipe and column names; copied, so later changes have no effect.</param>
    /// <exception cref="ArgumentException">An option is out of range (non-positive sizes, epochs or batch size, a learning rate that is not positive and finite).</exception>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MlpMulticlassTrainer(options);
    }
}
