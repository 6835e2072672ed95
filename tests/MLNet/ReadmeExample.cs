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

    public static (double Accuracy, MlpTransformer Mlp) TrainFashion(string trainCsv, string validCsv, string testCsv, string modelPath)
    {
        var ml = new MLContext(seed: 0);                      // Mlp stages without a Seed take the context's
        ml.Log += (_, e) => { if (e.Message.Contains("Epoch ")) Console.WriteLine(e.Message); };   // "Epoch 3/10: train loss …"
        var loader = ml.Data.CreateTextLoader(
            [new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Pixels", DataKind.Single, 1, 784)],
            separatorChar: ',');
        IDataView train = loader.Load(trainCsv), valid = loader.Load(validCsv), test = loader.Load(testCsv);

        var prep = ml.Transforms.Concatenate("Features", "Pixels")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Fit(train);
        MlpTransformer mlp = ml.MulticlassClassification.Trainers.Mlp(hiddenSizes: [100], epochs: 10)
            .Fit(prep.Transform(train), prep.Transform(valid));   // train and validation metrics every epoch
        ITransformer model = prep.Append(mlp);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        // mlp.History[^1].ValidAccuracy, mlp.Model.Weights["0.weight"], mlp.Model.LabelValues, mlp.Model.SkippedRows

        ml.SaveMlpModel(model, train.Schema, modelPath);      // ML.NET's Model.Save cannot hold an Mlp stage
        var (loaded, inputSchema) = ml.LoadMlpModel(modelPath);
        var engine = ml.Model.CreatePredictionEngine<FashionRow, FashionPrediction>(loaded);
        return (metrics.MicroAccuracy, mlp);
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
