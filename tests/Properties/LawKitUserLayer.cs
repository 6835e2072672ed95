// readme:testing-your-own-layer:begin
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mlp;
using Mlp.Testing;
using Xunit;
// readme:testing-your-own-layer:end

namespace Mlp.Tests.LawKit;

// README: "Testing your own layer" shows the code between the markers; ReadmeSnippets checks it matches.
// readme:testing-your-own-layer:begin
public static class Swish
{
    public static Vjp<Tensor> Forward(Tensor x)
    {
        Tensor s = 1f / (1f + (-x).Exp());                        // σ(x)
        Tensor slope = s + x * s * (1f - s);                      // σ(x) + x·σ(x)(1 − σ(x))
        return new(x * s, dy => dy * slope);                      // y = x·σ(x), dx = dy ⊙ slope
    }
}

public class SwishLaws
{
    static readonly LayerSpec Spec = LayerSpec.Elementwise("Swish", Domain.Any, Swish.Forward);   // smooth: any input

    [Property]
    public Property Swish_obeys_the_vjp_laws() => VjpLaws.ForAll(Spec);       // as an FsCheck property

    [Fact]
    public void Swish_passes_the_law_kit() => VjpLaws.Verify(Spec);          // or in a plain fact
}
// readme:testing-your-own-layer:end

public class LawKitUserLayer
{
    // A user layer with two inputs and a parameter shared across rows: y = tanh(x·w), checked without writing any
    // finite difference by hand.
    private static readonly LayerSpec TanhLinear = LayerSpec.Create("tanh(x·w)",
        [ArgSpec.Input("x", "n,i"), ArgSpec.Input("w", "i,o")], "n,o",
        a =>
        {
            Tensor y = Ops.MatMul(a[0], a[1]).Tanh();
            return new Vjp<Tensor[]>(y, dy =>
            {
                Tensor dz = dy * (1f - y * y);                                   // tanh' = 1 − tanh²
                return [Ops.MatMul(dz, a[1], false, true), Ops.MatMul(a[0], dz, true, false)];
            });
        }).RowWise('n').WithEpsilon(1.0 / 1024); // x·w stretches the step ~16×: a smaller ε keeps tanh's curvature out of the check

    [Property(MaxTest = 200)]
    public Property A_user_layer_with_a_shared_weight_obeys_the_vjp_laws() => VjpLaws.ForAll(TanhLinear);

    [Fact]
    public void A_user_layer_with_the_tanh_derivative_wrong_fails_with_the_weight_named()
    {
        var wrong = LayerSpec.Create("tanh(x·w) with tanh' = 1 − y", [ArgSpec.Input("x", "n,i"), ArgSpec.Input("w", "i,o")], "n,o",
            a =>
            {
                Tensor y = Ops.MatMul(a[0], a[1]).Tanh();
                return new Vjp<Tensor[]>(y, dy => [Ops.MatMul(dy * (1f - y), a[1], false, true), Ops.MatMul(a[0], dy * (1f - y), true, false)]);
            });
        var e = Assert.Throws<VjpLawException>(() => VjpLaws.Verify(wrong));
        Assert.Contains("backward disagrees with central finite differences for", e.Message);
        Assert.Contains("Shrunk:", e.Message);
    }

    [Fact]
    public void Cross_entropy_shaped_specs_with_integer_labels_generate_labels_below_the_class_count()
    {
        // The shape of CrossEntropy's spec, checked here with a hand-written loss: mean of −log softmax at the label.
        var spec = LayerSpec.Create("softmax cross-entropy (test-only)",
            [ArgSpec.Input("logits", "n,c"), ArgSpec.Constant("labels", "n", Domain.Labels('c'))], "",
            a => TestCrossEntropy(a[0], a[1]));
        var cases = VjpLaws.Cases(spec).Generator.Sample(50);
        foreach (var c in cases)
            Assert.All(c.Args[1].ToArray(), l => Assert.InRange(l, 0f, c.Sizes['c'] - 1));
        VjpLaws.Verify(spec);
    }

    private static Vjp<Tensor[]> TestCrossEntropy(Tensor logits, Tensor labels)
    {
        int n = logits.Shape[0], c = logits.Shape[1];
        Tensor p = (logits - logits.Max(1, keepDim: true)).Exp();
        p = p / p.Sum(1, keepDim: true);
        Tensor onehot = Tensor.Create([n, c], d => { for (int i = 0; i < n; i++) d[i * c + (int)labels[i]] = 1f; });
        float loss = 0;
        for (int i = 0; i < n; i++) loss -= MathF.Log(p[i, (int)labels[i]]);
        return new(Tensor.Scalar(loss / n), dl => [(p - onehot) * (dl.ToScalar() / n)]);   // (softmax − onehot)/n
    }

    [Fact]
    public void A_malformed_shape_is_rejected_with_the_argument_named()
    {
        var e = Assert.Throws<ArgumentException>(() => ArgSpec.Input("w", "i,,o"));
        Assert.Contains("w: shape \"i,,o\" has dimension \"\"", e.Message);
        var r = Assert.Throws<ArgumentException>(() => BuiltinSpecs.Mse.RowWise('n'));
        Assert.Contains("Mse: a row-wise layer's output and at least one argument must start with its batch letter 'n'", r.Message);
    }
}
