using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;
using Xunit.Abstractions;

namespace Mlp.MLNet.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class MlpPipelineTests(FashionMnistRows rows, ITestOutputHelper output)
{
    [Fact]
    public void In_an_MLContext_pipeline_it_matches_our_own_pipeline_and_beats_Sdca_and_Lbfgs_on_the_same_split()
    {
        var f = Recipe.Fit(rows);
        double ours = f.Ml.MulticlassClassification.Evaluate(f.Model.Transform(f.Test)).MicroAccuracy;

        // Our own pipeline, same rows, seed and recipe, written out with the pipeline's API.
        var model = Model.Perceptron(FashionMnistRows.Pixels, Recipe.Hidden, 10);
        var adam = new Adam(Recipe.LearningRate);
        var options = new TrainingOptions(Recipe.Epochs, Recipe.BatchSize, Recipe.Seed);
        var trained = Trainer.Fit(model, adam, TrainingState.Start(model, adam, Recipe.Seed), rows.Train, null, options, null, CancellationToken.None);
        double direct = Trainer.Evaluate(model, trained.State.Parameters, rows.Test, Loss.CrossEntropy, 4096).Accuracy;

        var ml = new MLContext(seed: 0);
        double Baseline(IEstimator<ITransformer> trainer) =>
            ml.MulticlassClassification.Evaluate(FashionCsv.Prep(ml).Append(trainer).Fit(ml.Data.Cache(f.Train)).Transform(f.Test)).MicroAccuracy;
        double sdca = Baseline(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        double lbfgs = Baseline(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());

        output.WriteLine($"data: {rows.Description}");
        output.WriteLine($"micro-accuracy: Mlp in ML.NET {ours:F4}, Mlp directly {direct:F4}, SdcaMaximumEntropy {sdca:F4}, LbfgsMaximumEntropy {lbfgs:F4}");
        Assert.InRange(Math.Abs(ours - direct), 0, 0.005);
        Assert.True(ours > sdca, $"Mlp {ours:F4} ≤ SDCA {sdca:F4}");
        Assert.True(ours > lbfgs, $"Mlp {ours:F4} ≤ L-BFGS {lbfgs:F4}");
    }

    [Fact]
    public void Scores_are_softmax_probabilities_and_the_predicted_key_is_their_argmax()
    {
        var f = Recipe.Fit(rows);
        var lines = FashionCsv.Predictions(f.Model.Transform(f.Test));
        Assert.Equal(FashionMnistRows.TestRows, lines.Length);
        foreach (var line in lines.Take(200))
        {
            var parts = line.Split(';');
            var scores = parts[1].Split(' ').Select(s => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(10, scores.Length);
            Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
            Assert.InRange(scores.Sum(), 1 - 1e-5, 1 + 1e-5);
            Assert.Equal(Array.IndexOf(scores, scores.Max()) + 1, int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void MapKeyToValue_turns_the_predicted_key_into_the_original_label()
    {
        var f = Recipe.Fit(rows);
        var ml = f.Ml;
        var scored = ml.Transforms.Conversion.MapKeyToValue("PredictedValue", "PredictedLabel").Fit(f.Model.Transform(f.Test)).Transform(f.Model.Transform(f.Test));
        var values = scored.GetColumn<float>("PredictedValue").ToArray();
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.Equal(keys.Select(k => (float)(k - 1)), values);   // keys are in label order: key k is label k − 1
        Assert.True(values.Distinct().Count() >= 8);
    }

    [Fact]
    public void A_prediction_engine_predicts_a_single_row_as_the_batch_transform_does()
    {
        var f = Recipe.Fit(rows);
        var engine = f.Ml.Model.CreatePredictionEngine<FashionRow, FashionPrediction>(f.Model);
        var batch = FashionCsv.Predictions(f.Model.Transform(f.Test));
        for (int i = 0; i < 3; i++)
        {
            var row = new FashionRow { Label = rows.Test.Labels[i], Pixels = rows.Test.X.Rows(i, 1).ToArray() };
            var p = engine.Predict(row);
            string line = p.PredictedLabel + ";" + string.Join(" ", p.Score.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(batch[i], line);
        }
    }

    [Fact]
    public void A_saved_pipeline_loaded_in_a_fresh_process_predicts_identically()
    {
        var f = Recipe.Fit(rows);
        string zip = Path.Combine(rows.Directory, "mlp-pipeline.zip"), outFile = Path.Combine(rows.Directory, "fresh-predictions.txt");
        f.Ml.SaveMlpModel(f.Model, f.Train.Schema, zip);

        string dll = typeof(Program).Assembly.Location;
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", dll, "predict", zip, rows.TestCsv, outFile }) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        string err = child.StandardError.ReadToEnd();
        child.StandardOutput.ReadToEnd();
        Assert.True(child.WaitForExit(120_000), "the child process did not finish in 2 minutes");
        Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {err}");

        Assert.Equal(FashionCsv.Predictions(f.Model.Transform(f.Test)), File.ReadAllLines(outFile));
    }

    [Fact]
    public void A_pipeline_saved_and_loaded_in_process_evaluates_to_the_same_metrics()
    {
        var f = Recipe.Fit(rows);
        string zip = Path.Combine(rows.Directory, "in-process.zip");
        f.Ml.SaveMlpModel(f.Model, f.Train.Schema, zip);
        var (loaded, schema) = new MLContext(seed: 5).LoadMlpModel(zip);
        Assert.NotNull(schema);
        Assert.Equal(f.Train.Schema["Pixels"].Type, schema["Pixels"].Type);
        var a = f.Ml.MulticlassClassification.Evaluate(f.Model.Transform(f.Test));
        var b = f.Ml.MulticlassClassification.Evaluate(loaded.Transform(f.Test));
        Assert.Equal(a.MicroAccuracy, b.MicroAccuracy);
        Assert.Equal(a.LogLoss, b.LogLoss);
    }

    [Fact]
    public void Model_Save_refuses_an_Mlp_stage_and_says_to_use_SaveMlpModel()
    {
        var f = Recipe.Fit(rows);
        using var sink = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => f.Ml.Model.Save(f.Model, f.Train.Schema, sink));
        Assert.Contains("mlContext.SaveMlpModel", e.Message);
    }

    [Fact]
    public void Plain_Model_Load_gives_a_placeholder_that_refuses_to_score_and_says_how_to_load()
    {
        var f = Recipe.Fit(rows);
        string zip = Path.Combine(rows.Directory, "plain-load.zip");
        f.Ml.SaveMlpModel(f.Model, f.Train.Schema, zip);
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterAssembly(typeof(MlpStageFactory).Assembly);
        var plain = ml.Model.Load(zip, out _);
        var scored = plain.Transform(FashionCsv.Loader(ml).Load(rows.TestCsv));
        var e = Assert.ThrowsAny<Exception>(() => scored.GetColumn<bool>("MlpStage").First());
        Assert.Contains("LoadMlpModel", (e.InnerException ?? e).Message);
    }
}

// FashionRow and FashionPrediction are the README example's types (ReadmeExample.cs).
