using Mlp.Lessons;
using FsCheck;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties;

/// <summary>The tape composes the layers' closures exactly as chaining them by hand does, and repeats itself.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 200)]
public class TapeLaws
{
    private const double Rtol = 1e-4;

    /// <summary>
    /// Absolute tolerance for the lesson's gradients on <paramref name="c"/>: each entry sums at most n terms no larger
    /// than 2·|ŷ − y|·(1 + |x|)·(1 + |h|) (weights are in [−1, 1]), and float32 rounds each to a few parts in 2²³;
    /// 1e-6 of the bound is about 8 ulps of every term.
    /// </summary>
    private static double Atol(LessonCase c)
    {
        var output = Lesson.Forward(c.X, c.W1, c.B1, c.W2, c.B2);
        var hidden = Relu.Forward(Linear.Forward(c.X, c.W1, c.B1).Output).Output;
        double err = (output.Squeeze(-1) - c.Y).Abs().Max().ToScalar();
        return 1e-6 * c.X.Size(0) * 2 * (1 + err) * (1 + c.X.Abs().Max().ToScalar()) * (1 + hidden.Abs().Max().ToScalar());
    }

    private static void AssertSame(LessonGradients a, LessonGradients b)
    {
        Reference.AssertBitwise(a.Output, b.Output, "output");
        Reference.AssertBitwise(a.Loss, b.Loss, "loss");
        Reference.AssertBitwise(a.Dx, b.Dx, "dx");
        Reference.AssertBitwise(a.Dw1, b.Dw1, "dw1");
        Reference.AssertBitwise(a.Db1, b.Db1, "db1");
        Reference.AssertBitwise(a.Dw2, b.Dw2, "dw2");
        Reference.AssertBitwise(a.Db2, b.Db2, "db2");
    }

    [Property]
    public void Tape_gradients_equal_the_hand_chained_closures_bit_for_bit(LessonCase c)
    {
        AssertSame(Lesson.HandChained(c.X, c.W1, c.B1, c.W2, c.B2, c.Y), Lesson.WithTape(c.X, c.W1, c.B1, c.W2, c.B2, c.Y));
    }

    [Property]
    public void Tape_output_equals_the_plain_forward(LessonCase c)
    {
        Reference.AssertBitwise(Lesson.Forward(c.X, c.W1, c.B1, c.W2, c.B2), Lesson.WithTape(c.X, c.W1, c.B1, c.W2, c.B2, c.Y).Output, "output");
    }

    [Property]
    public void Backward_twice_gives_the_same_bits(LessonCase c)
    {
        var tape = new Tape();
        Node[] leaves = [tape.Input(c.X), tape.Input(c.W1), tape.Input(c.B1), tape.Input(c.W2), tape.Input(c.B2)];
        var loss = Lesson.Loss(tape, leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], c.Y);
        var g1 = tape.Backward(loss);
        var g2 = tape.Backward(loss);
        foreach (var leaf in leaves) Reference.AssertBitwise(g1[leaf], g2[leaf], leaf.ToString());
    }

    [Property]
    public void Backward_with_a_seed_is_linear_in_the_seed(LessonCase c)
    {
        // Backward(loss, s) = s · Backward(loss): the seed is the loss's cotangent.
        var tape = new Tape();
        Node w1 = tape.Input(c.W1), b2 = tape.Input(c.B2);
        var loss = Lesson.Loss(tape, tape.Input(c.X), w1, tape.Input(c.B1), tape.Input(c.W2), b2, c.Y);
        var one = tape.Backward(loss);
        var three = tape.Backward(loss, Tensor.Scalar(3));
        Reference.AssertClose(one[w1] * 3f, three[w1], Rtol, 3 * Atol(c), "dw1");
        Reference.AssertClose(one[b2] * 3f, three[b2], Rtol, 3 * Atol(c), "db2");
    }

    [Property]
    public void Lesson_gradients_over_a_batch_are_the_sums_over_its_halves_for_a_sum_reduced_loss(LessonCase c)
    {
        // Σ-reduced squared error = n · mse, so seeding the mean loss with n gives the sum's gradient.
        // A one-row case has no halves: it is doubled (the same row twice) so every generated case tests the law.
        Tensor xs = c.X.Size(0) >= 2 ? c.X : Tensor.ConcatRows([c.X, c.X]);
        Tensor ys = c.Y.Size(0) >= 2 ? c.Y : Tensor.ConcatRows([c.Y.Reshape(1, -1), c.Y.Reshape(1, -1)]).Reshape(-1);
        int n = xs.Size(0);
        int h = n / 2;
        LessonGradients Sum(Tensor x, Tensor y)
        {
            var tape = new Tape();
            Node w1 = tape.Parameter("w1", c.W1), b1 = tape.Parameter("b1", c.B1), w2 = tape.Parameter("w2", c.W2), b2 = tape.Parameter("b2", c.B2);
            var nx = tape.Input(x);
            var loss = Lesson.Loss(tape, nx, w1, b1, w2, b2, y);
            var g = tape.Backward(loss, Tensor.Scalar(x.Size(0)));
            return new LessonGradients(loss.Value, loss.Value, g[nx], g[w1], g[b1], g[w2], g[b2]);
        }
        var whole = Sum(xs, ys);
        var a = Sum(xs.Rows(0, h), ys.Rows(0, h));
        var b = Sum(xs.Rows(h, n - h), ys.Rows(h, n - h));
        double atol = Atol(c) * n / c.X.Size(0); // the scale of the sum-reduced loss (n terms of 2|ŷ − y|·…), n after doubling
        Reference.AssertClose(a.Dw1 + b.Dw1, whole.Dw1, Rtol, atol, "dw1");
        Reference.AssertClose(a.Db1 + b.Db1, whole.Db1, Rtol, atol, "db1");
        Reference.AssertClose(a.Dw2 + b.Dw2, whole.Dw2, Rtol, atol, "dw2");
        Reference.AssertClose(a.Db2 + b.Db2, whole.Db2, Rtol, atol, "db2");
        Reference.AssertClose(Tensor.ConcatRows([a.Dx, b.Dx]), whole.Dx, Rtol, atol, "dx");
    }

    [Property]
    public void A_linear_layer_on_the_tape_gives_its_closures_gradients(LinearCase c)
    {
        var tape = new Tape();
        Node x = tape.Input(c.X), w = tape.Input(c.W), b = tape.Input(c.B);
        var y = tape.Linear(x, w, b);
        var g = tape.Backward(y, c.Dy);
        var expected = Linear.Forward(c.X, c.W, c.B).Backward(c.Dy);
        Reference.AssertBitwise(expected.Dx, g[x], "dx");
        Reference.AssertBitwise(expected.Dw, g[w], "dw");
        Reference.AssertBitwise(expected.Db, g[b], "db");
    }
}
