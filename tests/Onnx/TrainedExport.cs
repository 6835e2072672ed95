using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;
using static Mlp.Onnx.Tests.OnnxCheck;

namespace Mlp.Onnx.Tests;

/// <summary>
/// A test fixture: a model trained briefly on the first rows of Fashion-MNIST, saved with its normalization, loaded back and
/// exported to ONNX, with the t10k images and Mlp's evaluation-mode logits on them to compare against (training is the slow
/// part, so each test class shares one).
/// </summary>
public abstract class TrainedExport : IDisposable
{
    /// <summary>Trains <paramref name="model"/> with <paramref name="optimizer"/> on the first <paramref name="rows"/> training rows
    /// for <paramref name="epochs"/> epochs (batch 64, seed 0), then saves, loads and exports it as <c>{name}.onnx</c>.</summary>
    protected TrainedExport(string name, Model model, IOptimizer optimizer, int rows, int epochs, OnnxExportOptions? options = null)
    {
        Dir = Directory.CreateTempSubdirectory($"mlp-onnx-{name}-").FullName;
        OnnxPath = Path.Combine(Dir, name + ".onnx");
        DataSource = DataDir();
        (RawTest, TestLabels) = Test(DataSource);
        var (splits, mean, std) = Normalization.ByTrainStatistics(DataLoader.Load(DataSource));
        var train = splits.Train.Slice(0, rows, $"first {rows} training rows");
        var result = Trainer.Fit(model, optimizer, TrainingState.Start(model, optimizer, 0), train, splits.Valid, new TrainingOptions(epochs, 64, 0));
        string path = Path.Combine(Dir, name + ".safetensors");
        ModelFile.Save(path, model, result.State.Parameters, result.State.Buffers, new InputNormalization(mean, std));

        Saved = ModelFile.Load(path);
        OnnxExport.Save(OnnxPath, Saved, options);
        Logits = Saved.Predict(Saved.Normalization!.Value.Apply(RawTest));
    }

    public string Dir { get; }
    public string OnnxPath { get; }
    public SavedModel Saved { get; }
    public Tensor RawTest { get; }            // the 10000 t10k images, pixels in [0, 1]
    public int[] TestLabels { get; }
    public Tensor Logits { get; }             // Mlp's evaluation-mode logits on the normalized test images
    public string DataSource { get; }

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
