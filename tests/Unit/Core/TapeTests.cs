using Mlp.Lessons;
namespace Mlp.Tests.Core;

/// <summary>The tape, its nodes and its gradients (src/Core/Tape.cs, Tape.Layers.cs, Node.cs, Gradients.cs).</summary>
public class TapeTests
{
    private sealed record LessonData(Tensor X, Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor Y);

    private static LessonData Data(ulong seed, int n = 64, int m = 30, int nh = 10)
    {
        var rng = new Rng(seed);
        return new LessonData(rng.Normal(n, m), Init.KaimingNormal(rng, m, nh, FanMode.FanIn, Gain.Relu), rng.Normal(nh) * 0.1f,
            Init.KaimingNormal(rng, nh, 1, FanMode.FanIn, Gain.Linear), rng.Normal(1) * 0.1f, rng.Normal(n));
    }

    private static void AssertBitwiseEqual(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        Assert.Equal(expected.ToArray().Select(BitConverter.SingleToInt32Bits), actual.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    private static void AssertSameGradients(LessonGradients a, LessonGradients b)
    {
        AssertBitwiseEqual(a.Output, b.Output);
        AssertBitwiseEqual(a.Loss, b.Loss);
        AssertBitwiseEqual(a.Dx, b.Dx);
        AssertBitwiseEqual(a.Dw1, b.Dw1);
        AssertBitwiseEqual(a.Db1, b.Db1);
        AssertBitwiseEqual(a.Dw2, b.Dw2);
        AssertBitwiseEqual(a.Db2, b.Db2);
    }

    [Fact]
    public void Tape_gradients_of_the_lesson_model_equal_the_hand_chained_closures_bit_for_bit()
    {
        var d = Data(1);
        AssertSameGradients(Lesson.HandChained(d.X, d.W1, d.B1, d.W2, d.B2, d.Y), Lesson.WithTape(d.X, d.W1, d.B1, d.W2, d.B2, d.Y));
    }

    [Theory]
    [InlineData(64, 784, 50, 0f, true)]
    [InlineData(64, 784, 50, -0.5f, false)]
    [InlineData(37, 129, 19, -0.5f, true)]
    [InlineData(37, 129, 19, 0.25f, false)]
    [InlineData(5, 3, 2, 0f, false)]
    public void LinearRelu_on_the_tape_equals_Linear_then_the_relu_bit_for_bit(int n, int ins, int outs, float shift, bool inputNeedsGrad)
    {
        var rng = new Rng((ulong)(n + ins + outs));
        Tensor xv = rng.Normal(n, ins), w1v = Init.KaimingNormal(rng, ins, outs, FanMode.FanIn, Gain.Relu), b1v = rng.Normal(outs) * 0.1f,
               w2v = rng.Normal(outs, 3), b2v = rng.Normal(3), target = rng.Normal(n, 3);
        (Tensor Output, Tensor[] Grads) Run(bool fused)
        {
            var tape = new Tape();
            Node x = inputNeedsGrad ? tape.Input(xv) : tape.Constant(xv);
            Node w1 = tape.Parameter("w1", w1v), b1 = tape.Parameter("b1", b1v), w2 = tape.Parameter("w2", w2v), b2 = tape.Parameter("b2", b2v);
            Node h = fused ? tape.LinearRelu(x, w1, b1, shift)
                : shift == 0f ? tape.Relu(tape.Linear(x, w1, b1)) : tape.ShiftedRelu(tape.Linear(x, w1, b1), shift);
            Node output = tape.Linear(h, w2, b2);
            var g = tape.Backward(tape.Mse(output, target));
            Assert.Equal(inputNeedsGrad, g.Reaches(x));
            return (output.Value, inputNeedsGrad ? [h.Value, g[x], g[w1], g[b1], g[w2], g[b2]] : [h.Value, g[w1], g[b1], g[w2], g[b2]]);
        }
        var (expectedOut, expected) = Run(fused: false);
        var (actualOut, actual) = Run(fused: true);
        AssertBitwiseEqual(expectedOut, actualOut);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertBitwiseEqual(expected[i], actual[i]);
        Assert.True(expected[^4].Abs().Max().ToScalar() > 0, "dw1 is all zero: the test would not see a wrong mask");
    }

    [Fact]
    public void LinearRelu_on_the_tape_rejects_mismatched_shapes_naming_them()
    {
        var tape = new Tape();
        var ex = Assert.Throws<ArgumentException>(() =>
            tape.LinearRelu(tape.Input(Tensor.Zeros(4, 3)), tape.Parameter("w", Tensor.Zeros(5, 2)), tape.Parameter("b", Tensor.Zeros(2))));
        Assert.Contains("(4, 3)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(5, 2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tape_gives_a_gradient_for_every_leaf_shaped_like_it()
    {
        var d = Data(2);
        var tape = new Tape();
        Node x = tape.Input(d.X), w1 = tape.Parameter("0.weight", d.W1), b1 = tape.Parameter("0.bias", d.B1),
             w2 = tape.Parameter("2.weight", d.W2), b2 = tape.Parameter("2.bias", d.B2);
        var g = tape.Backward(Lesson.Loss(tape, x, w1, b1, w2, b2, d.Y));
        foreach (var leaf in new[] { x, w1, b1, w2, b2 })
        {
            Assert.True(g.Reaches(leaf));
            Assert.Equal(leaf.Value.ShapeArray(), g[leaf].ShapeArray());
            Assert.True(g[leaf].Abs().Max().ToScalar() > 0, $"{leaf} has an all-zero gradient");
        }
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], g.Named().Select(kv => kv.Key));
        AssertBitwiseEqual(g[w1], g["0.weight"]);
    }

    [Fact]
    public void The_gradient_of_the_loss_with_respect_to_itself_is_one()
    {
        var d = Data(3);
        var tape = new Tape();
        var loss = Lesson.Loss(tape, tape.Input(d.X), tape.Input(d.W1), tape.Input(d.B1), tape.Input(d.W2), tape.Input(d.B2), d.Y);
        Assert.Equal(1f, tape.Backward(loss)[loss].ToScalar());
    }

    [Fact]
    public void A_node_used_twice_accumulates_both_gradients()
    {
        // f(x) = Σ x⊙x recorded as a product whose two inputs are the same node: df/dx = 2x, not x.
        var tape = new Tape();
        var x = tape.Input(Tensor.FromArray([1, -2, 3], 3));
        var sq = tape.Record(x.Value * x.Value, [x, x], dy => [dy * x.Value, dy * x.Value]);
        var sum = tape.Record(sq.Value.Sum(), [sq], dl => [Tensor.Full([3], dl.ToScalar())]);
        Assert.Equal([2f, -4f, 6f], tape.Backward(sum)[x].ToArray());
    }

    [Fact]
    public void A_value_feeding_two_branches_gets_the_sum_of_the_branch_gradients()
    {
        // h = relu(x·w + b) feeds two linear heads whose outputs are added: dh = dy·w1ᵀ + dy·w2ᵀ.
        var rng = new Rng(4);
        Tensor xv = rng.Normal(8, 5), wv = rng.Normal(5, 4), bv = rng.Normal(4), w1v = rng.Normal(4, 1), w2v = rng.Normal(4, 1);
        Tensor zero = Tensor.Zeros(1), y = rng.Normal(8);
        var tape = new Tape();
        Node x = tape.Input(xv), w = tape.Input(wv), b = tape.Input(bv), w1 = tape.Input(w1v), w2 = tape.Input(w2v), z = tape.Input(zero);
        var h = tape.Relu(tape.Linear(x, w, b));
        var p1 = tape.Linear(h, w1, z);
        var p2 = tape.Linear(h, w2, z);
        var sum = tape.Record(p1.Value + p2.Value, [p1, p2], dy => [dy, dy]);
        var g = tape.Backward(tape.Mse(sum, y));

        // By hand, with the layers' own closures.
        var (l, linBack) = Linear.Forward(xv, wv, bv);
        var (hv, reluBack) = Relu.Forward(l);
        var (o1, back1) = Linear.Forward(hv, w1v, zero);
        var (o2, back2) = Linear.Forward(hv, w2v, zero);
        var (_, mseBack) = Mse.Forward(o1 + o2, y);
        var dOut = mseBack(Tensor.Scalar(1));
        var dh = back1(dOut).Dx + back2(dOut).Dx;
        var gx = linBack(reluBack(dh));
        AssertBitwiseEqual(dh, g[h]);
        AssertBitwiseEqual(gx.Dx, g[x]);
        AssertBitwiseEqual(gx.Dw, g[w]);
        AssertBitwiseEqual(back1(dOut).Dw, g[w1]);
        AssertBitwiseEqual(back2(dOut).Dw, g[w2]);
        AssertBitwiseEqual(back1(dOut).Db + back2(dOut).Db, g[z]);
    }

    [Fact]
    public void Backward_twice_gives_the_same_gradients()
    {
        var d = Data(5);
        var tape = new Tape();
        Node x = tape.Input(d.X), w1 = tape.Input(d.W1), b1 = tape.Input(d.B1), w2 = tape.Input(d.W2), b2 = tape.Input(d.B2);
        var loss = Lesson.Loss(tape, x, w1, b1, w2, b2, d.Y);
        var g1 = tape.Backward(loss);
        var g2 = tape.Backward(loss);
        foreach (var leaf in new[] { x, w1, b1, w2, b2 }) AssertBitwiseEqual(g1[leaf], g2[leaf]);
    }

    [Fact]
    public void Backward_writes_nothing_into_the_leaves()
    {
        var d = Data(6);
        float[] before = d.W1.ToArray();
        _ = Lesson.WithTape(d.X, d.W1, d.B1, d.W2, d.B2, d.Y);
        Assert.Equal(before, d.W1.ToArray());
    }

    [Fact]
    public void A_leaf_the_loss_does_not_reach_has_a_zero_gradient()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.FromArray([1, 2], 2, 1));
        var unused = tape.Parameter("unused", Tensor.Ones(3, 2));
        var loss = tape.Mse(tape.Relu(x), Tensor.Zeros(2));
        var g = tape.Backward(loss);
        Assert.False(g.Reaches(unused));
        Assert.Equal([3, 2], g[unused].ShapeArray());
        Assert.All(g[unused].ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal([1f, 2f], g[x].ToArray()); // 2(ŷ − 0)/2 = ŷ
    }

    [Fact]
    public void Backward_from_an_intermediate_node_ignores_later_nodes_and_rejects_them()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.FromArray([-1, 2], 2));
        var r = tape.Relu(x);
        var later = tape.Relu(r);
        var g = tape.Backward(r, Tensor.FromArray([5, 7], 2));
        Assert.Equal([0f, 7f], g[x].ToArray());
        var e = Assert.Throws<ArgumentException>(() => g[later]);
        Assert.Contains($"#{later.Id}", e.Message);
    }

    [Fact]
    public void Backward_of_a_multi_element_output_needs_a_seed()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.Ones(3));
        var e = Assert.Throws<ArgumentException>(() => tape.Backward(tape.Relu(x)));
        Assert.Contains("(3,)", e.Message);
        var s = Assert.Throws<ArgumentException>(() => tape.Backward(tape.Relu(x), Tensor.Ones(4)));
        Assert.Contains("(4,)", s.Message);
        Assert.Contains("(3,)", s.Message);
    }

    [Fact]
    public void A_node_of_another_tape_is_rejected_everywhere()
    {
        var t1 = new Tape();
        var t2 = new Tape();
        var a = t1.Input(Tensor.Ones(2));
        var loss1 = t1.Mse(t1.Relu(a), Tensor.Zeros(2));
        var b = t2.Input(Tensor.Ones(2));
        Assert.Contains("another tape", Assert.Throws<ArgumentException>(() => t2.Relu(a)).Message);
        Assert.Contains("another tape", Assert.Throws<ArgumentException>(() => t2.Backward(loss1)).Message);
        Assert.Contains("another tape", Assert.Throws<ArgumentException>(() => t2.Record(Tensor.Ones(2), [b, a], dy => [dy, dy])).Message);
        var g = t1.Backward(loss1);
        Assert.Throws<ArgumentException>(() => g[b]);
        Assert.False(g.Reaches(b));
    }

    [Fact]
    public void Gradients_by_an_unknown_name_list_the_known_names()
    {
        var tape = new Tape();
        var w = tape.Parameter("0.weight", Tensor.Ones(2));
        var g = tape.Backward(tape.Mse(tape.Relu(w), Tensor.Zeros(2)));
        var e = Assert.Throws<KeyNotFoundException>(() => g["1.weight"]);
        Assert.Contains("1.weight", e.Message);
        Assert.Contains("0.weight", e.Message);
    }

    [Fact]
    public void A_custom_backward_returning_the_wrong_count_or_shape_is_reported_with_the_node()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.Ones(2));
        var bad = tape.Record(x.Value.Sum(), [x], _ => [Tensor.Ones(2), Tensor.Ones(2)]);
        Assert.Contains("2 gradients for 1 inputs", Assert.Throws<InvalidOperationException>(() => tape.Backward(bad)).Message);
        var badShape = tape.Record(x.Value.Sum(), [x], _ => [Tensor.Ones(3)]);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(badShape));
        Assert.Contains("(3,)", e.Message);
        Assert.Contains("(2,)", e.Message);
    }

    [Fact]
    public void A_null_gradient_from_a_custom_backward_means_no_gradient_for_that_input()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.Ones(2));
        var c = tape.Input(Tensor.Ones(2));
        var y = tape.Record((x.Value * c.Value).Sum(), [x, c], dl => [c.Value * dl.ToScalar(), null]);
        var g = tape.Backward(y);
        Assert.True(g.Reaches(x));
        Assert.False(g.Reaches(c));
    }

    [Fact]
    public void Nodes_record_their_position_name_and_shape()
    {
        var tape = new Tape();
        var x = tape.Input(Tensor.Zeros(4, 3));
        var w = tape.Parameter("0.weight", Tensor.Zeros(3, 2));
        Assert.Equal(0, x.Id);
        Assert.Equal(1, w.Id);
        Assert.Null(x.Name);
        Assert.Equal("0.weight", w.Name);
        Assert.Equal([3, 2], w.Shape);
        Assert.Equal("Node #1 '0.weight' (3, 2)", w.ToString());
        Assert.Equal(2, tape.Count);
    }

    [Fact]
    public void Two_tapes_on_two_threads_give_the_same_gradients_as_run_one_after_the_other()
    {
        // Large enough that the matrix products take their multi-threaded path inside each tape.
        var d1 = Data(7, n: 256, m: 100, nh: 20);
        var d2 = Data(8, n: 256, m: 100, nh: 20);
        var s1 = Lesson.WithTape(d1.X, d1.W1, d1.B1, d1.W2, d1.B2, d1.Y);
        var s2 = Lesson.WithTape(d2.X, d2.W1, d2.B1, d2.W2, d2.B2, d2.Y);
        using var start = new Barrier(2);
        var results = new LessonGradients[2, 3];
        var threads = new[] { d1, d2 }.Select((d, t) => new Thread(() =>
        {
            start.SignalAndWait();
            for (int r = 0; r < 3; r++) results[t, r] = Lesson.WithTape(d.X, d.W1, d.B1, d.W2, d.B2, d.Y);
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        for (int r = 0; r < 3; r++)
        {
            AssertSameGradients(s1, results[0, r]);
            AssertSameGradients(s2, results[1, r]);
        }
    }
}
