using Mlp.Models;

namespace Mlp.Tests.Pipeline;

/// <summary>Layer names are PyTorch constructor calls; Parse reads them and PyTorch's printed forms; Model.Parse reads specs.</summary>
public class LayerSpecTests
{
    public static TheoryData<string, string> PrintedByTorch => new()
    {
        // PyTorch 1.13's repr(module) → the name Mlp gives the same layer.
        { "Linear(in_features=784, out_features=256, bias=True)", "Linear(784, 256)" },
        { "BatchNorm1d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "BatchNorm1d(256)" },
        { "BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=True)", "BatchNorm1d(4, eps=0.001, momentum=None, affine=False)" },
        { "GELU(approximate='none')", "GELU()" },
        { "GELU(approximate='tanh')", "GELU(approximate='tanh')" },
        { "Dropout(p=0.1, inplace=False)", "Dropout(0.1)" },
        { "Tanh()", "Tanh()" },
        { "Sigmoid()", "Sigmoid()" },
        { "Softmax(dim=1)", "Softmax(dim=1)" },
        { "LogSoftmax(dim=-1)", "LogSoftmax(dim=1)" },
        { "LeakyReLU(negative_slope=0.01)", "LeakyReLU(0.01)" },
        { "ReLU(inplace=True)", "ReLU()" },
    };

    [Theory]
    [MemberData(nameof(PrintedByTorch))]
    public void PyTorchs_printed_form_parses_to_the_layer_whose_name_parses_back_to_itself(string printed, string name)
    {
        var layer = Layer.Parse(printed);
        Assert.Equal(name, layer.Name);
        Assert.Equal(name, Layer.Parse(layer.Name).Name);
    }

    [Fact]
    public void New_layers_print_their_settings_and_leave_out_defaults()
    {
        Assert.Equal("BatchNorm1d(256)", Layer.BatchNorm1d(256).Name);
        Assert.Equal("BatchNorm1d(8, momentum=0.01)", Layer.BatchNorm1d(8, momentum: 0.01).Name);
        Assert.Equal("BatchNorm1d(8, eps=1e-06)", Layer.BatchNorm1d(8, eps: 1e-6).Name);
        Assert.Equal("BatchNorm1d(8, eps=0.0001, momentum=None, affine=False)", Layer.BatchNorm1d(8, 1e-4, null, false).Name);
        Assert.Equal("Dropout(0.5)", Layer.Dropout().Name);
        Assert.Equal("Dropout(0.0)", Layer.Dropout(0).Name);
        Assert.Equal("GELU()", Layer.Gelu().Name);
        Assert.Equal("GELU(approximate='tanh')", Layer.Gelu(GeluApproximation.Tanh).Name);
        Assert.Equal("Softmax(dim=1)", Layer.Softmax(-1).Name);
        Assert.Equal(["weight", "bias"], Layer.BatchNorm1d(3).ParameterSpecs.Select(s => s.Name));
        Assert.Empty(Layer.BatchNorm1d(3, affine: false).ParameterSpecs);
        Assert.Equal(["running_mean", "running_var"], Layer.BatchNorm1d(3).BufferSpecs.Select(s => s.Name));
        Assert.Equal(["num_batches_tracked"], Layer.BatchNorm1d(3).CountNames);
        Assert.True(Layer.Dropout(0.2).DependsOnMode && Layer.BatchNorm1d(2).DependsOnMode && !Layer.Gelu().DependsOnMode);
    }

    [Fact]
    public void The_issue_spec_parses_to_the_model_and_its_ToString_parses_back_to_an_equal_model()
    {
        const string spec = "Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)";
        var model = Model.Parse(spec);
        Assert.Equal(spec, model.ToString());
        AssertEqualModels(model, Model.Parse(model.ToString()));
        AssertEqualModels(model, Model.Parse(model.Architecture));           // "Linear(784, 256) → BatchNorm1d(256) → …"
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"], model.ParameterSpecs.Select(s => s.Name));
        Assert.Equal(["1.running_mean", "1.running_var"], model.BufferSpecs.Select(s => s.Name));
        Assert.Equal(["1.num_batches_tracked"], model.CountNames);
        Assert.Equal(784, model.InputFeatures);
    }

    [Fact]
    public void PyTorchs_print_of_a_sequential_parses_to_the_same_model()
    {
        const string printed = """
            Sequential(
              (0): Linear(in_features=784, out_features=256, bias=True)
              (1): BatchNorm1d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (2): GELU(approximate='none')
              (3): Dropout(p=0.1, inplace=False)
              (4): Linear(in_features=256, out_features=10, bias=True)
            )
            """;
        AssertEqualModels(Model.Parse("Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)"), Model.Parse(printed));
        AssertEqualModels(Model.Parse("Linear(4, 3), Tanh(), Linear(3, 2)"), Model.Parse("Linear(4, 3) -> Tanh() -> Linear(3, 2)"));
    }

    [Theory]
    [InlineData("Linear(784, 256) Conv2d(1, 8, 3)", "layer 1: 'Conv2d(1, 8, 3)' is not a known layer")]
    [InlineData("Linear(784, 256, bias=False)", "bias=False is not supported")]
    [InlineData("BatchNorm1d(256, track_running_stats=False)", "track_running_stats=False is not supported")]
    [InlineData("BatchNorm1d(256, momentum=2)", "momentum must be in [0, 1]")]
    [InlineData("BatchNorm1d(0)", "'num_features' must be a positive integer")]
    [InlineData("Dropout(1.5)", "p must be in [0, 1]")]
    [InlineData("Dropout(q=0.5)", "Dropout has no argument 'q'; it takes Dropout(p, inplace)")]
    [InlineData("GELU(approximate='erf')", "approximate must be 'none' or 'tanh'")]
    [InlineData("Softmax()", "Softmax needs dim=1")]
    [InlineData("Softmax(dim=0)", "dim must be 1 (or -1)")]
    [InlineData("Linear(784, out_features=256, 3)", "positional argument '3' follows a keyword argument")]
    [InlineData("Linear(784 256)", "Linear needs 'out_features'")]
    [InlineData("Linear(784, 256", "has no closing parenthesis")]
    [InlineData("  ", "it names no layers")]
    [InlineData("Linear(784, 256) relu", "expected a layer such as GELU() at 'relu'")]
    public void A_bad_spec_is_refused_naming_the_layer_and_what_is_wrong(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Model.Parse(spec));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Random_specs_round_trip_through_ToString()
    {
        // Every layer type with random settings: Parse(ToString()) gives an equal model, and printing is a fixed point.
        var rng = new Rng(77);
        Func<int, Layer>[] makers =
        [
            w => Layer.Linear(w, w),
            w => Layer.BatchNorm1d(w, eps: Math.Round(rng.NextDouble() * 1e-3, 6), momentum: rng.NextInt(3) == 0 ? null : Math.Round(rng.NextDouble(), 3), affine: rng.NextInt(2) == 0),
            _ => Layer.Dropout(Math.Round(rng.NextDouble(), 4)),
            _ => Layer.Gelu(rng.NextInt(2) == 0 ? GeluApproximation.None : GeluApproximation.Tanh),
            _ => Layer.Tanh(), _ => Layer.Sigmoid(), _ => Layer.Softmax(), _ => Layer.LogSoftmax(), _ => Layer.Relu(),
            _ => Layer.LeakyRelu((float)Math.Round(rng.NextDouble(), 3)), _ => Layer.ShiftedRelu(-0.5f),
        ];
        for (int trial = 0; trial < 50; trial++)
        {
            var layers = Enumerable.Range(0, 1 + rng.NextInt(6)).Select(_ => makers[rng.NextInt(makers.Length)](5)).ToArray();
            var model = new Model(layers);
            var back = Model.Parse(model.ToString());
            AssertEqualModels(model, back);
            Assert.Equal(model.ToString(), back.ToString());
        }
    }

    private static void AssertEqualModels(Model expected, Model actual)
    {
        Assert.Equal(expected.Layers.Select(l => l.Name), actual.Layers.Select(l => l.Name));
        Assert.Equal(expected.ParameterSpecs.Select(s => (s.Name, string.Join(",", s.Shape))), actual.ParameterSpecs.Select(s => (s.Name, string.Join(",", s.Shape))));
        Assert.Equal(expected.BufferSpecs.Select(s => (s.Name, string.Join(",", s.Shape))), actual.BufferSpecs.Select(s => (s.Name, string.Join(",", s.Shape))));
        Assert.Equal(expected.CountNames, actual.CountNames);
        // Same function: the same parameters and buffers give the same outputs, bit for bit, in evaluation mode.
        int features = expected.InputFeatures ?? 5;
        Tensor x = new Rng(3).Normal(4, features);
        var p = expected.Init(1);
        var b = expected.InitBuffers();
        Assert.Equal(expected.Predict(p, b, x).ToArray(), actual.Predict(p, b, x).ToArray());
    }
}
