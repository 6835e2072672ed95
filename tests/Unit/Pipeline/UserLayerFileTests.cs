using Mlp.Models;
using Mlp.Serialization;

namespace Mlp.Tests.Pipeline;

/// <summary>A user layer saves and loads like a built-in: through a layer registry or a model passed to Load.</summary>
public class UserLayerFileTests
{
    // y = x ⊙ a (a user layer with a parameter).
    private static Layer Scale(int n) => Layer.Create($"Scale({n})", [new ParameterSpec("a", [n], false)], _ => [Tensor.Full([n], 1.5f)],
        (ps, x) => new Vjp<Tensor?[]>(x * ps[0], dy => [dy * ps[0], (dy * x).Sum(0)]));

    [Fact]
    public void A_model_with_a_user_layer_round_trips_through_a_registry_or_the_model_and_is_refused_without_either()
    {
        var model = Model.Sequential(Layer.Linear(3, 4), Scale(4), Layer.Linear(4, 2));
        var p = model.Init(3);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-user-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model, p, null);
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
            Assert.Contains("Scale(4)", e.Message);
            var registry = LayerRegistry.BuiltIn.With("Scale", "Scale(n)", a => a.Count == 1 && int.TryParse(a[0], out int n) ? Scale(n) : null);
            var viaRegistry = ModelFile.Load(path, registry);
            Assert.Equal(model.Architecture, viaRegistry.Model.Architecture);
            Assert.True(p.BitwiseEquals(viaRegistry.Parameters));
            Assert.True(p.BitwiseEquals(ModelFile.Load(path, model).Parameters));
            var x = new Rng(1).Normal(5, 3);
            Assert.Equal(model.Predict(p, x).ToArray(), viaRegistry.Model.Predict(viaRegistry.Parameters, x).ToArray());
            var other = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path, Model.Perceptron(3, [4], 2)));
            Assert.Contains("Scale(4)", other.Message);
        }
        finally { File.Delete(path); }
    }
}
