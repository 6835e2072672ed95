using Microsoft.ML;
using Mlp.Data;
using Mlp.DataView;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.MLNet.Tests;

/// <summary><see cref="MlpTrainerOptions.ModelSpec"/>: any layers as PyTorch writes them, trained in ML.NET exactly as Trainer.Fit trains them.</summary>
public sealed class ModelSpecOptionTests
{
    private const string Spec = "Linear(4, 8) BatchNorm1d(8) GELU() Dropout(0.25) Linear(8, 3)";

    private static MlpTrainerOptions Options(string spec) => new()
    {
        ModelSpec = spec, HiddenSizes = [5], Epochs = 3, LearningRate = 0.01f, BatchSize = 10, Seed = 4, Optimizer = MlpOptimizer.Adam,
    };

    [Fact]
    public void A_spec_model_trains_bit_for_bit_as_the_direct_call_and_scores_in_evaluation_mode_after_a_save_and_load()
    {
        var data = ThreeBlobs.Rows(90, 1);
        var ml = new MLContext(0);
        var trained = ml.MulticlassClassification.Trainers.Mlp(Options(Spec)).Fit(DatasetDataView.FromDataset(data));
        Assert.Equal(Spec, trained.Model.Network.ToString());                     // HiddenSizes is replaced by the spec

        var model = Model.Parse(Spec);
        var adam = new Adam(0.01f);
        var direct = Trainer.Fit(model, adam, TrainingState.Start(model, adam, 4), data, null, new TrainingOptions(3, 10, 4), null, CancellationToken.None).State;
        Assert.True(direct.Parameters.BitwiseEquals(trained.Model.Weights));
        Assert.True(direct.Buffers.BitwiseEquals(trained.Model.Buffers));
        Assert.Equal(27, trained.Model.Buffers.Count("1.num_batches_tracked"));   // 9 steps × 3 epochs

        // Scores are the softmax of the evaluation-mode logits (running statistics, no dropout), before and after a save.
        float[] Scores(ITransformer t) => ml.Data.CreateEnumerable<ScoreRow>(t.Transform(DatasetDataView.FromDataset(data)), reuseRowObject: false)
            .SelectMany(r => r.Score).ToArray();
        float[] expected = Softmax.Rows(model.Predict(direct.Parameters, direct.Buffers, data.X)).ToArray();
        float[] scored = Scores(trained);
        Assert.Equal(expected.Length, scored.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scored[i], 1e-6f);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-spec-{Guid.NewGuid():N}.zip");
        try
        {
            var view = DatasetDataView.FromDataset(data);
            ml.SaveMlpModel(trained, view.Schema, path);
            var (loaded, _) = ml.LoadMlpModel(path);
            Assert.Equal(scored, Scores(loaded));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_bad_spec_is_refused_when_the_trainer_is_made_and_one_that_does_not_fit_the_data_at_Fit()
    {
        var ml = new MLContext(0);
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(Options("Linear(4, 8) Swish() Linear(8, 3)")));
        Assert.Contains("ModelSpec: layer 1: 'Swish()' is not a known layer", e.Message);
        var view = DatasetDataView.FromDataset(ThreeBlobs.Rows(30, 2));
        var wrongClasses = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(Options("Linear(4, 8) ReLU() Linear(8, 5)")).Fit(view));
        Assert.Contains("ModelSpec: the model ends with [-1, 5] outputs but the label 'Label' has 3 classes", wrongClasses.Message);
        var wrongFeatures = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(Options("Linear(6, 3)")).Fit(view));
        Assert.Contains("takes 6 features but column 'Features' has 4", wrongFeatures.Message);
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
