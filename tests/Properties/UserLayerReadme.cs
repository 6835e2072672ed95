// readme:a-layer-of-your-own:begin
using Mlp;
using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Testing;
using Mlp.Training;
// readme:a-layer-of-your-own:end
using Xunit;

namespace Mlp.Tests.LawKit;

// README: "A layer of your own: train, save, load" shows the code between the markers; ReadmeCodeBlockTests checks it.
// readme:a-layer-of-your-own:begin

public static class Scale                       // y = x ⊙ s, one learned scale per feature
{
    public static Vjp<Tensor[]> Forward(Tensor x, Tensor s) =>
        new(x * s, dy => [dy * s, (dy * x).Sum(0)]);                     // dx = dy ⊙ s, ds = Σ_rows dy ⊙ x

    public static Layer Create(int n) => Layer.Create($"Scale({n})", [new ParameterSpec("scale", [n], false)],
        _ => [Tensor.Ones(n)], (p, x) => { var (y, back) = Forward(x, p[0]); return new(y, dy => back(dy)); });

    public static LayerRegistry Registry { get; } = LayerRegistry.BuiltIn.With("Scale", "Scale(n)",
        a => a.Count == 1 && int.TryParse(a[0], out int n) && n > 0 ? Create(n) : null);   // "Scale(100)" → the layer

    public static LayerSpec Spec { get; } = LayerSpec.Create("Scale",
        [ArgSpec.Input("x", "n,i"), ArgSpec.Input("s", "i")], "n,i", a => Forward(a[0], a[1])).RowWise('n');
}
// readme:a-layer-of-your-own:end

public class UserLayerReadme
{
    private static string EmbeddedFashion()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "data", "fashion-mnist"))) return Path.Combine(d.FullName, "data", "fashion-mnist");
        throw new DirectoryNotFoundException($"no data/fashion-mnist above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void A_user_layer_is_law_checked_trains_saves_and_loads_back_with_the_same_predictions_bit_for_bit()
    {
        string dataDir = EmbeddedFashion(), path = Path.Combine(Path.GetTempPath(), $"mlp-scale-{Guid.NewGuid():N}.safetensors");
        try
        {
            // readme:a-layer-of-your-own:begin

            VjpLaws.Verify(Scale.Spec);                        // the same laws as the built-ins (or VjpLaws.ForAll in a [Property])

            var data = Normalization.ByTrainStatistics(DataLoader.Load(dataDir)).Splits;
            var train = data.Train.Slice(0, 2000, "first 2000 training rows");
            var model = Model.Sequential(Layer.Linear(784, 100), Layer.Relu(), Scale.Create(100), Layer.Linear(100, 10));
            var opt = new Sgd(0.1f);
            var result = Trainer.Fit(model, opt, TrainingState.Start(model, opt, 0), train, data.Valid,
                                     new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 0), progress: null, CancellationToken.None);
            ModelFile.Save(path, model, result.State.Parameters, metadata: null);   // "2.scale" is saved like "0.weight"

            SavedModel loaded = ModelFile.Load(path, Scale.Registry);   // or ModelFile.Load(path, model)
            Tensor before = model.Predict(result.State.Parameters, data.Valid.X);
            Tensor after = loaded.Model.Predict(loaded.Parameters, data.Valid.X);   // the same logits, bit for bit
            // readme:a-layer-of-your-own:end

            Assert.Equal(model.Architecture, loaded.Model.Architecture);
            Assert.Contains("Scale(100)", loaded.Model.Architecture);
            Assert.True(result.State.Parameters.BitwiseEquals(loaded.Parameters));
            Assert.Equal(before.ToArray().Select(BitConverter.SingleToInt32Bits), after.ToArray().Select(BitConverter.SingleToInt32Bits));
            Assert.NotEqual(Tensor.Ones(100).ToArray(), loaded.Parameters["2.scale"].ToArray());   // the scale was trained
            Assert.InRange(result.History.Single().ValidAccuracy, 0.6, 1.0);                      // it learned (chance: 0.10)
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));              // without the registry
            Assert.Contains("Scale(100)", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_law_kit_rejects_the_scale_with_a_wrong_parameter_gradient()
    {
        var wrong = LayerSpec.Create("Scale with ds = Σ_rows dy", [ArgSpec.Input("x", "n,i"), ArgSpec.Input("s", "i")], "n,i",
            a => new Vjp<Tensor[]>(a[0] * a[1], dy => [dy * a[1], dy.Sum(0)]));
        var e = Assert.Throws<VjpLawException>(() => VjpLaws.Verify(wrong));
        Assert.Contains("backward disagrees with central finite differences for", e.Message);
    }
}
