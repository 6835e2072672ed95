using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mlp.Models;
using Mlp.Testing;

namespace Mlp.Tests.LawKit;

/// <summary>The law kit on whole models: the tape composing layer closures must itself be a correct vjp.</summary>
public class LawKitModels
{
    private static Vjp<Tensor> Tanh(Tensor x)
    {
        Tensor y = x.Tanh();
        return new(y, dy => dy * (1f - y * y));
    }

    // Linear → Tanh (a user activation, smooth, so finite differences never straddle a kink) → Linear.
    internal static readonly LayerSpec Mlp = LinearTanhLinear("Linear → Tanh → Linear (Model.Record)", Tanh);

    /// <summary>Linear → <paramref name="tanh"/> → Linear through Model.Forward, as a law-kit spec.</summary>
    internal static LayerSpec LinearTanhLinear(string name, Func<Tensor, Vjp<Tensor>> tanh) => LayerSpec.Create(name,
        [ArgSpec.Input("x", "n,i"), ArgSpec.Input("0.weight", "i,h"), ArgSpec.Input("0.bias", "h"),
         ArgSpec.Input("2.weight", "h,o"), ArgSpec.Input("2.bias", "o")], "n,o",
        a =>
        {
            var model = Model.Sequential(Layer.Linear(a[1].Shape[0], a[1].Shape[1]), Layer.CreateActivation("Tanh()", tanh),
                                         Layer.Linear(a[3].Shape[0], a[3].Shape[1]));
            var p = Parameters.From([new("0.weight", a[1]), new("0.bias", a[2]), new("2.weight", a[3]), new("2.bias", a[4])]);
            var tape = new Tape();
            var x = tape.Input(a[0]);
            var y = model.Record(tape, x, p);
            return new Vjp<Gradients>(y.Value, dy => tape.Backward(y, dy)).MapBackward(g =>
                new[] { g[x], g["0.weight"], g["0.bias"], g["2.weight"], g["2.bias"] });
        }).RowWise('n').WithEpsilon(1.0 / 1024); // two products stretch the step: a smaller ε keeps tanh's curvature out of the check

    [Property(MaxTest = 100)]
    public Property A_model_composed_on_the_tape_obeys_the_vjp_laws() => VjpLaws.ForAll(Mlp);

    // The run that false-alarmed before finite differences were re-checked at 2ε: x = 1, w = b = 1.75, tanh saturated,
    // |difference| 8.5e-5 > tolerance 5.8e-5 at ε = 1/1024.
    [Property(MaxTest = 100, Replay = "(5696416391766958549,3973617541009458719,72)")]
    public Property The_replay_that_once_false_alarmed_passes() => VjpLaws.ForAll(Mlp);

    // The training loss as the trainer uses it: mean cross-entropy of logits against integer labels.
    private static readonly LayerSpec TrainingCrossEntropy = LayerSpec.Create("Training.Loss.CrossEntropy",
        [ArgSpec.Input("logits", "n,c"), ArgSpec.Constant("labels", "n", Domain.Labels('c'))], "",
        a => Training.Loss.CrossEntropy.Forward(a[0], a[1].ToArray().Select(l => (int)l).ToArray()).MapBackward(d => new[] { d }));

    private static readonly LayerSpec TrainingMse = LayerSpec.Create("Training.Loss.Mse",
        [ArgSpec.Input("output", "n,1"), ArgSpec.Constant("labels", "n", Domain.Grid(0, 9, 1))], "",
        a => Training.Loss.Mse.Forward(a[0], a[1].ToArray().Select(l => (int)l).ToArray()).MapBackward(d => new[] { d }));

    [Property(MaxTest = 100)]
    public Property The_training_losses_obey_the_vjp_laws() =>
        VjpLaws.ForAll(TrainingCrossEntropy).And(VjpLaws.ForAll(TrainingMse));
}
