// The README's "Layers and model specs" example, compiled and run here on the embedded Fashion-MNIST split.
// readme:layers:begin
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;
// readme:layers:end

namespace Mlp.Tests.Readme;

public class ReadmeLayersExample
{
    [Fact]
    public void The_layers_example_trains_predicts_in_evaluation_mode_saves_and_loads_without_a_spec()
    {
        string dataDir = Mlp.Tests.Data.TestData.EmbeddedFashion;
        string path = Path.Combine(Path.GetTempPath(), $"mlp-readme-layers-{Guid.NewGuid():N}.safetensors");
        try
        {
            // readme:layers:begin

            var data = Normalization.ByTrainStatistics(DataLoader.Load(dataDir)).Splits;
            var model = Model.Parse("Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)");
            // = Model.Sequential(Layer.Linear(784, 256), Layer.BatchNorm1d(256), Layer.Gelu(), Layer.Dropout(0.1), Layer.Linear(256, 10))
            var opt = new Adam(1e-3f);
            var result = Trainer.Fit(model, opt, TrainingState.Start(model, opt, 0), data.Train, data.Valid,
                                     new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 0));   // training mode; dropout seeded per step
            Buffers buffers = result.State.Buffers;        // "1.running_mean", "1.running_var", "1.num_batches_tracked": returned, not mutated
            Tensor logits = model.Predict(result.State.Parameters, buffers, data.Valid.X);   // evaluation mode: running statistics, no dropout
            ModelFile.Save(path, model, result.State.Parameters, buffers, metadata: null);   // nn.Sequential's state_dict: loads strictly in PyTorch
            SavedModel saved = ModelFile.Load(path);       // no spec needed: saved.Model.ToString() is the spec above
            // readme:layers:end

            Assert.Equal("Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)", saved.Model.ToString());
            Assert.Equal(logits.ToArray(), saved.Predict(data.Valid.X).ToArray());
            Assert.Equal(125, buffers.Count("1.num_batches_tracked"));     // 8000 rows / 64
            Assert.True(result.History[0].ValidAccuracy > 0.75, $"valid accuracy {result.History[0].ValidAccuracy}");
        }
        finally { File.Delete(path); }
    }
}
