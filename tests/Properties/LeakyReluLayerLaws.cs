using FsCheck;
using FsCheck.Xunit;
using Mlp.Models;
using Mlp.Testing;

namespace Mlp.Tests.Properties;

/// <summary>
/// LeakyReLU (src/Core/Layers/LeakyRelu.cs), law-checked like every built-in: as the Core function, and as the pipeline
/// layer recorded on a tape (the path training takes).
/// </summary>
public class LeakyReluLayerLaws
{
    private static readonly LayerSpec Core = LayerSpec.Elementwise("LeakyRelu(0.1)", Domain.NonZero, x => LeakyRelu.Forward(x, 0.1f));

    private static readonly LayerSpec OnTape = LayerSpec.Elementwise("Layer.LeakyRelu(-0.3) on a tape", Domain.NonZero, x =>
    {
        var tape = new Tape();
        var input = tape.Input(x);
        var y = Layer.LeakyRelu(-0.3f).Record(tape, input, []);
        return new Vjp<Tensor>(y.Value, dy => tape.Backward(y, dy)[input]);
    });

    [Property(MaxTest = 200)]
    public Property LeakyRelu_obeys_the_vjp_laws() => Mlp.Testing.VjpLaws.ForAll(Core);

    [Property(MaxTest = 200)]
    public Property The_LeakyReLU_layer_on_the_tape_obeys_the_vjp_laws() => Mlp.Testing.VjpLaws.ForAll(OnTape);
}
