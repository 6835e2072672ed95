// readme:mlnet:begin
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.MLNet;
// readme:mlnet:end

namespace Mlp.MLNet.Tests;

/// <summary>The README's "Using Mlp in ML.NET" example, compiled here (tests/Unit/Readme/ReadmeCodeBlockTests checks README.md shows the marked regions).</summary>
public static class ReadmeExample
{
    // readme:mlnet:begin

    public static double TrainFashion(string trainCsv, string testCsv, string modelPath)
    {
        var ml = new MLContext(seed: 0);
        var loader = ml.Data.CreateTextLoader(
            [new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Pixels", DataKind.Single, 1, 784)],
            separatorChar: ',');
        IDataView train = loader.Load(trainCsv), test = loader.Load(testCsv);

        var pipeline = ml.Transforms.Concatenate("Features", "Pixels")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions
            {
                HiddenSizes = [100], Epochs = 10, LearningRate = 1e-3f, BatchSize = 64, Seed = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedValue", "PredictedLabel"));

        ITransformer model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));

        ml.SaveMlpModel(model, train.Schema, modelPath);      // ML.NET's Model.Save cannot hold an Mlp stage
        var (loaded, inputSchema) = ml.LoadMlpModel(modelPath);
        var engine = ml.Model.CreatePredictionEngine<FashionRow, FashionPrediction>(loaded);
        return metrics.MicroAccuracy;
    }

    // readme:mlnet:end
}

// readme:mlnet:begin
public sealed class FashionRow                            // one CSV row: label, then 784 pixels
{
    public float Label { get; set; }
    [VectorType(784)] public float[] Pixels { get; set; } = [];
}

public sealed class FashionPrediction                     // what the Mlp stage adds
{
    public uint PredictedLabel { get; set; }              // a key: 1 + the class index
    public float[] Score { get; set; } = [];              // softmax probabilities
}
// readme:mlnet:end
