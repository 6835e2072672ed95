namespace Mlp.Lessons;

/// <summary>Every gradient of the lesson's model, with the forward output and loss.</summary>
/// <param name="Output">(n, 1) model output.</param>
/// <param name="Loss">The scalar MSE.</param>
/// <param name="Dx">(n, in) input gradient (the lesson's <c>x_train.g</c>).</param>
/// <param name="Dw1">(in, hidden).</param>
/// <param name="Db1">(hidden).</param>
/// <param name="Dw2">(hidden, 1).</param>
/// <param name="Db2">(1).</param>
public sealed record LessonGradients(Tensor Output, Tensor Loss, Tensor Dx, Tensor Dw1, Tensor Db1, Tensor Dw2, Tensor Db2);

/// <summary>Which relu the lesson's model uses.</summary>
public enum LessonRelu
{
    /// <summary><c>x.clamp_min(0.)</c>: the lesson's relu until it redefines it.</summary>
    Plain,

    /// <summary><c>x.clamp_min(0.) - 0.5</c>: the lesson's relu from the init cell that redefines it on — its final model,
    /// <c>forward_and_backward</c>, the autograd check and the <c>Relu</c> classes. The gradient is the same mask.</summary>
    Shifted,
}

/// <summary>
/// The lesson's model, <c>lin → relu → lin</c> with MSE on <c>out.squeeze(-1)</c>, written three ways:
/// a plain forward, hand-chained backward closures (the lesson's <c>forward_and_backward</c>), and on a <see cref="Tape"/>.
/// </summary>
public static partial class Lesson
{
    /// <summary>The lesson's hidden size, <c>nh = 50</c>.</summary>
    public const int Hidden = 50;

    /// <summary>The lesson's training rows: <c>x_train</c> is the first 50000 images of MNIST's training file.</summary>
    public const int TrainRows = 50000;

    /// <summary>The relu the lesson means by <paramref name="relu"/>, as a layer.</summary>
    public static Vjp<Tensor> Activation(Tensor x, LessonRelu relu) =>
        relu == LessonRelu.Shifted ? ShiftedRelu.Forward(x, ShiftedRelu.LessonShift) : Relu.Forward(x);

    /// <summary>Records the relu the lesson means by <paramref name="relu"/> on a tape.</summary>
    public static Node Activation(Tape tape, Node x, LessonRelu relu)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return relu == LessonRelu.Shifted ? tape.ShiftedRelu(x, ShiftedRelu.LessonShift) : tape.Relu(x);
    }

    /// <summary><c>lin(relu(lin(x, w1, b1)), w2, b2)</c>: the (n, 1) output.</summary>
    public static Tensor Forward(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, LessonRelu relu = LessonRelu.Plain) =>
        Linear.Forward(Activation(Linear.Forward(x, w1, b1).Output, relu).Output, w2, b2).Output;

    /// <summary>The lesson's <c>forward_and_backward</c>: each layer's closure called by hand, last to first.</summary>
    public static LessonGradients HandChained(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor target, LessonRelu relu = LessonRelu.Plain)
    {
        var (l1, lin1Back) = Linear.Forward(x, w1, b1);
        var (l2, reluBack) = Activation(l1, relu);
        var (output, lin2Back) = Linear.Forward(l2, w2, b2);
        var (loss, mseBack) = Mse.Forward(output, target);

        Tensor dOut = mseBack(Tensor.Ones());   // 2(ŷ − y)/n
        var g2 = lin2Back(dOut);                // dl2, dw2, db2
        Tensor dl1 = reluBack(g2.Dx);           // dl2 ⊙ [l1 > 0]
        var g1 = lin1Back(dl1);                 // dx, dw1, db1
        return new LessonGradients(output, loss, g1.Dx, g1.Dw, g1.Db, g2.Dw, g2.Db);
    }

    /// <summary>Records the lesson's loss on <paramref name="tape"/> from its five leaves.</summary>
    public static Node Loss(Tape tape, Node x, Node w1, Node b1, Node w2, Node b2, Tensor target, LessonRelu relu = LessonRelu.Plain)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var output = tape.Linear(Activation(tape, tape.Linear(x, w1, b1), relu), w2, b2);
        return tape.Mse(output, target);
    }

    /// <summary>All gradients of the lesson's loss via the tape.</summary>
    public static LessonGradients WithTape(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor target, LessonRelu relu = LessonRelu.Plain)
    {
        var tape = new Tape();
        Node nx = tape.Input(x), nw1 = tape.Parameter("w1", w1), nb1 = tape.Parameter("b1", b1),
             nw2 = tape.Parameter("w2", w2), nb2 = tape.Parameter("b2", b2);
        var output = tape.Linear(Activation(tape, tape.Linear(nx, nw1, nb1), relu), nw2, nb2);
        var loss = tape.Mse(output, target);
        var g = tape.Backward(loss);
        return new LessonGradients(output.Value, loss.Value, g[nx], g[nw1], g[nb1], g[nw2], g[nb2]);
    }
}
