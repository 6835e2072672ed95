using Mlp.Models;

namespace Mlp.Tests.Pipeline;

public class ModelTests
{
    private static readonly Model Mlp784 = Model.Perceptron(784, [100], 10);

    private sealed record Grads(Parameters Parameters, Tensor? Dx);

    // The model on a tape, as a vjp of its output: dy ↦ (parameter gradients by name, input gradient or null).
    private static Vjp<Grads> Forward(Model model, Parameters p, Tensor x, bool needInputGradient = true)
    {
        var tape = new Tape();
        Node input = needInputGradient ? tape.Input(x) : tape.Constant(x);
        Node output = model.Record(tape, input, p);
        return new(output.Value, dy =>
        {
            var g = tape.Backward(output, dy);
            return new Grads(Parameters.From(p.Names.Select(n => new NamedTensor(n, g[n]))), g.Reaches(input) ? g[input] : null);
        });
    }

    [Fact]
    public void Parameters_have_pytorch_state_dict_names_in_order()
    {
        var p = Mlp784.Init(0);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], p.Names);
        Assert.Equal([784, 100], p["0.weight"].Shape);   // Mlp's (in, out); PyTorch's is (100, 784)
        Assert.Equal([100, 10], p["2.weight"].Shape);
        Assert.Equal([10], p["2.bias"].Shape);
    }

    [Fact]
    public void Init_is_the_same_for_the_same_seed_and_differs_for_another()
    {
        Assert.True(Mlp784.Init(5).BitwiseEquals(Mlp784.Init(5)));
        Assert.False(Mlp784.Init(5).BitwiseEquals(Mlp784.Init(6)));
    }

    [Fact]
    public void Default_linear_init_is_uniform_within_one_over_sqrt_fan_in_like_pytorch()
    {
        var p = Mlp784.Init(1);
        float bound = 1 / MathF.Sqrt(784);
        Assert.InRange(p["0.weight"].Max().ToScalar(), bound * 0.99f, bound);
        Assert.InRange(p["0.weight"].Min().ToScalar(), -bound, -bound * 0.99f);
        // U(−b, b) has std b/√3.
        Assert.Equal(bound / Math.Sqrt(3), p["0.weight"].Std().ToScalar(), 3);
    }

    [Fact]
    public void Forward_and_backward_equal_the_hand_chained_layer_closures()
    {
        var model = Model.Perceptron(6, [5], 3);
        var p = model.Init(2);
        var rng = new Rng(9);
        Tensor x = rng.Normal(4, 6), dy = rng.Normal(4, 3);

        var (l1, back1) = Linear.Forward(x, p["0.weight"], p["0.bias"]);
        var (a1, backRelu) = Relu.Forward(l1);
        var (y, back2) = Linear.Forward(a1, p["2.weight"], p["2.bias"]);
        var g2 = back2(dy);
        var g1 = back1(backRelu(g2.Dx));

        var (output, back) = Forward(model, p, x);
        var g = back(dy);
        Assert.Equal(y.ToArray(), output.ToArray());
        Assert.Equal(g1.Dw.ToArray(), g.Parameters["0.weight"].ToArray());
        Assert.Equal(g1.Db.ToArray(), g.Parameters["0.bias"].ToArray());
        Assert.Equal(g2.Dw.ToArray(), g.Parameters["2.weight"].ToArray());
        Assert.Equal(g2.Db.ToArray(), g.Parameters["2.bias"].ToArray());
        Assert.Equal(g1.Dx.ToArray(), g.Dx!.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_then_relu_recorded_as_one_fused_node_gives_the_bits_of_the_layers_recorded_one_by_one(bool inputGradient)
    {
        // Model records Linear→ReLU and Linear→ShiftedReLU pairs as one Tape.LinearRelu node; Layer.Record never fuses,
        // so chaining the layers by hand is the unfused reference. Lesson-sized shapes reach the GEMM's packed paths.
        var model = Model.Sequential(Layer.Linear(784, 50), Layer.ShiftedRelu(-0.5f), Layer.Linear(50, 20), Layer.Relu(),
                                     Layer.Linear(20, 10), Layer.Tanh());
        var p = model.Init(4);
        var rng = new Rng(11);
        Tensor x = rng.Normal(300, 784), dy = rng.Normal(300, 10);

        var fused = new Tape();
        Node fx = inputGradient ? fused.Input(x) : fused.Constant(x);
        Node fy = model.Record(fused, fx, p);
        var gf = fused.Backward(fy, dy);

        var plain = new Tape();
        Node px = inputGradient ? plain.Input(x) : plain.Constant(x);
        var leaves = p.Names.Select(n => plain.Parameter(n, p[n])).ToArray();
        Node h = px;
        int offset = 0;
        foreach (var layer in model.Layers)
        {
            h = layer.Record(plain, h, leaves[offset..(offset + layer.ParameterSpecs.Count)]);
            offset += layer.ParameterSpecs.Count;
        }
        var gp = plain.Backward(h, dy);

        Assert.Equal(h.Value.ToArray(), fy.Value.ToArray());
        foreach (var name in p.Names) Assert.Equal(gp[name].ToArray(), gf[name].ToArray());
        if (inputGradient) Assert.Equal(gp[px].ToArray(), gf[fx].ToArray());
    }

    [Fact]
    public void Backward_called_twice_gives_the_same_gradients()
    {
        var model = Model.Perceptron(4, [3], 2);
        var p = model.Init(1);
        var (_, back) = Forward(model, p, new Rng(1).Normal(5, 4));
        var dy = new Rng(2).Normal(5, 2);
        Assert.True(back(dy).Parameters.BitwiseEquals(back(dy).Parameters));
    }

    [Fact]
    public void Skipping_the_input_gradient_leaves_the_parameter_gradients_unchanged()
    {
        var model = Model.Perceptron(4, [3], 2);
        var p = model.Init(1);
        Tensor x = new Rng(1).Normal(5, 4), dy = new Rng(2).Normal(5, 2);
        var full = Forward(model, p, x).Backward(dy);
        var lean = Forward(model, p, x, needInputGradient: false).Backward(dy);
        Assert.Null(lean.Dx);
        Assert.True(full.Parameters.BitwiseEquals(lean.Parameters));
    }

    [Fact]
    public void Model_gradients_match_finite_differences_through_cross_entropy()
    {
        var model = Model.Sequential(Layer.Linear(5, 4), Layer.ShiftedRelu(-0.5f), Layer.Linear(4, 3));
        var p = model.Init(3);
        Tensor x = new Rng(4).Normal(6, 5);
        int[] labels = [0, 1, 2, 2, 1, 0];
        var g = model.Gradient(p, x, labels, Training.Loss.CrossEntropy).Gradients;
        const float h = 1e-2f;
        foreach (var (name, value) in p)
        {
            var data = value.ToArray();
            for (int i = 0; i < data.Length; i += 3)
            {
                float orig = data[i];
                data[i] = orig + h;
                double up = CrossEntropy.Forward(model.Predict(p.With(name, Tensor.FromArray(data, value.ShapeArray())), x), labels).Output.ToScalar();
                data[i] = orig - h;
                double down = CrossEntropy.Forward(model.Predict(p.With(name, Tensor.FromArray(data, value.ShapeArray())), x), labels).Output.ToScalar();
                data[i] = orig;
                Assert.True(Math.Abs((up - down) / (2 * h) - g[name].AsSpan()[i]) < 2e-3, $"{name}[{i}]: numeric {(up - down) / (2 * h)} vs {g[name].AsSpan()[i]}");
            }
        }
    }

    [Fact]
    public void A_user_written_layer_composes_exactly_like_a_built_in_one()
    {
        // A user's own linear layer, written as a pure function with its own backward.
        var userLinear = Layer.Create("MyLinear(4, 3)",
            [new ParameterSpec("weight", [4, 3], true), new ParameterSpec("bias", [3], false)],
            rng => { var (w, b) = Init.TorchLinearDefault(rng, 4, 3); return [w, b]; },
            (ps, x) =>
            {
                Tensor w = ps[0];
                return new(Ops.MatMul(x, w) + ps[1], dy =>
                    [Ops.MatMul(dy, w, false, true), Ops.MatMul(x, dy, true, false), dy.Sum(0)]);
            });
        var userModel = Model.Sequential(userLinear, Layer.Relu(), Layer.Linear(3, 2));
        var builtIn = Model.Sequential(Layer.Linear(4, 3), Layer.Relu(), Layer.Linear(3, 2));
        var p = userModel.Init(8);
        Assert.True(p.BitwiseEquals(builtIn.Init(8)));    // same names, shapes and init stream
        Tensor x = new Rng(1).Normal(5, 4), dy = new Rng(2).Normal(5, 2);
        var gu = Forward(userModel, p, x).Backward(dy);
        var gb = Forward(builtIn, p, x).Backward(dy);
        Assert.True(gu.Parameters.BitwiseEquals(gb.Parameters));
        Assert.Equal(gb.Dx!.ToArray(), gu.Dx!.ToArray());
    }

    [Fact]
    public void A_user_activation_without_parameters_composes_too()
    {
        var square = Layer.CreateActivation("Square()", x => new(x * x, dy => dy * x * 2f));
        var model = Model.Sequential(Layer.Linear(3, 2), square);
        var p = model.Init(1);
        Tensor x = new Rng(3).Normal(4, 3);
        var lin = Linear.Forward(x, p["0.weight"], p["0.bias"]).Output;
        Assert.Equal((lin * lin).ToArray(), model.Predict(p, x).ToArray());
        Assert.Equal(["0.weight", "0.bias"], p.Names);
    }

    [Fact]
    public void Summary_lists_output_shapes_and_parameter_counts_like_torchinfo()
    {
        var s = Model.Perceptron(784, [100, 50], 10).Summary(784);
        Assert.Equal([78_500L, 0, 5_050, 0, 510], s.Layers.Select(l => l.ParameterCount));
        Assert.Equal([-1, 50], s.Layers[3].OutputShape);
        Assert.Equal(84_060L, s.TotalParameters);
        string text = Mlp784.Summary(784).ToString();
        Assert.Contains("Linear(784, 100)", text);
        Assert.Equal("Linear(784, 100) ReLU() Linear(100, 10)", Mlp784.ToString());   // ToString is the spec Model.Parse reads (issue 14)
        Assert.Contains("Total params: 79,510", text);
    }

    [Fact]
    public void TryGetValue_finds_a_parameter_by_its_state_dict_name_and_reports_a_missing_one()
    {
        var p = Mlp784.Init(3);
        Assert.True(p.TryGetValue("2.bias", out var bias));
        Assert.Same(p["2.bias"], bias);
        Assert.Equal([10], bias!.ShapeArray());
        Assert.False(p.TryGetValue("1.weight", out var none));   // layer 1 is the ReLU: no parameters
        Assert.Null(none);
    }

    [Fact]
    public void Forward_rejects_parameters_of_another_model_naming_the_tensor()
    {
        var e = Assert.Throws<ArgumentException>(() => Forward(Mlp784, Model.Perceptron(784, [50], 10).Init(0), Tensor.Zeros(1, 784)));
        Assert.Contains("0.weight", e.Message);
        Assert.Contains("(784, 100)", e.Message);
    }

    [Fact]
    public void Forward_rejects_an_input_of_the_wrong_width_naming_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Mlp784.Predict(Mlp784.Init(0), Tensor.Zeros(2, 10)));
        Assert.Contains("(2, 10)", e.Message);
        Assert.Contains("(784, 100)", e.Message);
    }

    [Fact]
    public void Built_in_layers_parse_back_from_their_names()
    {
        foreach (var l in new[] { Layer.Linear(7, 3), Layer.Relu(), Layer.ShiftedRelu(-0.5f) })
            Assert.Equal(l.Name, Layer.Parse(l.Name).Name);
        Assert.Throws<FormatException>(() => Layer.Parse("Conv2d(3, 8)"));
    }
}
