using Mlp.Tests.Pipeline;

namespace Mlp.Tests.Core.Layers;

public class CrossEntropyTests
{
    [Fact]
    public void Cross_entropy_of_one_row_is_logsumexp_minus_the_labels_logit()
    {
        var loss = CrossEntropy.Forward(Tensor.FromArray([1, 2, 3], 1, 3), [2]).Output.ToScalar();
        double expected = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3;   // 0.40760596
        Assert.Equal(expected, loss, 6);
    }

    [Fact]
    public void Cross_entropy_is_the_mean_over_rows()
    {
        var x = Tensor.FromArray([0, 0, 5, 1], 2, 2);
        double row0 = Math.Log(2), row1 = Math.Log(Math.Exp(5) + Math.Exp(1)) - 1;
        Assert.Equal((row0 + row1) / 2, CrossEntropy.Forward(x, [0, 1]).Output.ToScalar(), 5);
    }

    [Fact]
    public void Cross_entropy_is_stable_for_huge_logits()
    {
        var (loss, back) = CrossEntropy.Forward(Tensor.FromArray([1000, 0, -1000, 0], 2, 2), [1, 0]);
        Assert.Equal(1000f, loss.ToScalar(), 3);                 // row 0: lse 1000 − x₁ 0; row 1: lse 0 − x₀ (−1000)
        var g = back(Tensor.Ones());
        Assert.Equal([0.5f, -0.5f, -0.5f, 0.5f], g.ToArray());   // softmax saturates to one-hot; (p − onehot)/2
    }

    [Fact]
    public void Cross_entropy_gradient_is_softmax_minus_onehot_over_n()
    {
        var x = Tensor.FromArray([1, 2, 3, 0.5f, -1, 2], 2, 3);
        var g = CrossEntropy.Forward(x, [0, 2]).Backward(Tensor.Ones());
        for (int i = 0; i < 2; i++)
        {
            double z = 0;
            for (int j = 0; j < 3; j++) z += Math.Exp(x[i, j]);
            for (int j = 0; j < 3; j++)
            {
                double expected = (Math.Exp(x[i, j]) / z - (j == (i == 0 ? 0 : 2) ? 1 : 0)) / 2;
                Assert.True(Math.Abs(expected - g[i, j]) < 1e-6, $"[{i},{j}] {g[i, j]} vs {expected}");
            }
        }
    }

    [Fact]
    public void Cross_entropy_backward_scales_with_the_incoming_gradient()
    {
        var vjp = CrossEntropy.Forward(Tensor.FromArray([1, 2, 3, 4], 2, 2), [1, 0]);
        var g1 = vjp.Backward(Tensor.Ones());
        var g3 = vjp.Backward(Tensor.Scalar(3));
        for (int i = 0; i < 4; i++) Assert.Equal(3 * g1.AsSpan()[i], g3.AsSpan()[i], 6);
    }

    [Fact]
    public void Cross_entropy_gradients_match_finite_differences()
    {
        var rng = new Rng(3);
        Tensor logits = rng.Normal(6, 5);
        int[] labels = [0, 4, 2, 2, 1, 3];
        var r = GradCheck.Check((t, l) => t.CrossEntropy(l[0], labels), [new("logits", logits)], 1e-2, 30, 1).Single();
        Assert.True(r.NormRelativeError < 1e-3, $"‖g − ĝ‖/‖g‖ = {r.NormRelativeError}");
    }

    [Fact]
    public void Log_softmax_gradients_match_finite_differences()
    {
        var rng = new Rng(4);
        Tensor x = rng.Normal(4, 7), w = rng.Normal(4, 7);
        // A scalar from log-softmax: Σ w ⊙ log_softmax(x), so every output entry gets a different cotangent.
        var r = GradCheck.Check((t, l) => t.Record(
                (t.LogSoftmax(l[0]).Value * w).Sum(), [t.LogSoftmax(l[0])], dl => [w * dl.ToScalar()]),
            [new("x", x)], 1e-2, 28, 2).Single();
        Assert.True(r.NormRelativeError < 1e-3, $"‖g − ĝ‖/‖g‖ = {r.NormRelativeError}");
    }

    [Fact]
    public void Log_softmax_rows_exponentiate_to_probabilities()
    {
        var y = LogSoftmax.Forward(Tensor.FromArray([1, 2, 3, -50, 0, 50], 2, 3)).Output;
        for (int i = 0; i < 2; i++)
            Assert.Equal(1.0, Math.Exp(y[i, 0]) + Math.Exp(y[i, 1]) + Math.Exp(y[i, 2]), 6);
    }

    [Fact]
    public void Cross_entropy_matches_pytorch_loss_and_gradient()
    {
        foreach (var c in PipelineFixtures.Json("crossentropy.json").GetProperty("cases").EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32(), k = c.GetProperty("c").GetInt32();
            var logits = Tensor.FromArray(PipelineFixtures.Floats(c.GetProperty("logits")), n, k);
            var (loss, back) = CrossEntropy.Forward(logits, PipelineFixtures.Ints(c.GetProperty("labels")));
            string name = c.GetProperty("name").GetString()!;
            double torchLoss = c.GetProperty("loss").GetDouble();
            Assert.True(Math.Abs(loss.ToScalar() - torchLoss) <= 1e-5 * Math.Max(1, Math.Abs(torchLoss)), $"{name}: loss {loss.ToScalar()} vs torch {torchLoss}");
            var g = back(Tensor.Ones()).AsSpan();
            double[] tg = PipelineFixtures.Doubles(c.GetProperty("grad"));
            for (int i = 0; i < tg.Length; i++) Assert.True(Math.Abs(g[i] - tg[i]) < 1e-6, $"{name}: grad[{i}] {g[i]} vs torch {tg[i]}");
            var ls = LogSoftmax.Forward(logits).Output.AsSpan();
            double[] tls = PipelineFixtures.Doubles(c.GetProperty("log_softmax"));
            for (int i = 0; i < tls.Length; i++) Assert.True(Math.Abs(ls[i] - tls[i]) <= 1e-5 * Math.Max(1, Math.Abs(tls[i])), $"{name}: log_softmax[{i}] {ls[i]} vs torch {tls[i]}");
        }
    }

    [Fact]
    public void Cross_entropy_rejects_a_label_outside_the_classes_naming_the_row()
    {
        var e = Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(Tensor.Zeros(3, 4), [0, 4, 1]));
        Assert.Contains("label 4 of row 1", e.Message);
        Assert.Contains("(3, 4)", e.Message);
    }

    [Fact]
    public void Cross_entropy_rejects_a_label_count_that_differs_from_the_rows()
    {
        var e = Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(Tensor.Zeros(3, 4), [0, 1]));
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("2 labels", e.Message);
    }

    [Fact]
    public void Cross_entropy_rejects_logits_that_are_not_a_matrix()
    {
        var e = Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(Tensor.Zeros(4), [0]));
        Assert.Contains("(4,)", e.Message);
    }
}
