using Microsoft.ML;

namespace Mlp.MLNet.Tests;

/// <summary>The suite's recipe, and the pipeline trained with it once per run (shared by the tests that need a fitted model).</summary>
public static class Recipe
{
    public static readonly int[] Hidden = [100];
    public const int Epochs = 10, BatchSize = 64, Seed = 1;
    public const float LearningRate = 1e-3f;

    public static MlpTrainerOptions Options() => new()
    {
        HiddenSizes = Hidden, Epochs = Epochs, BatchSize = BatchSize, Seed = Seed, LearningRate = LearningRate, Optimizer = MlpOptimizer.Adam,
    };

    private static readonly object Gate = new();
    private static Fitted? _fitted;

    public sealed record Fitted(MLContext Ml, IDataView Train, IDataView Test, ITransformer Model);

    /// <summary>LoadFromTextFile → Concatenate → MapValueToKey → Mlp, fitted on the training CSV.</summary>
    public static Fitted Fit(FashionMnistRows rows)
    {
        lock (Gate)
        {
            if (_fitted is null)
            {
                var ml = new MLContext(seed: 0);
                var loader = FashionCsv.Loader(ml);
                var train = loader.Load(rows.TrainCsv);
                var test = loader.Load(rows.TestCsv);
                var pipeline = FashionCsv.Prep(ml).Append(ml.MulticlassClassification.Trainers.Mlp(Options()));
                _fitted = new Fitted(ml, train, test, pipeline.Fit(train));
            }
            return _fitted;
        }
    }
}
