// The README's C# examples, compiled here (ReadmeCodeBlockTests checks the README shows exactly the marked regions).
// readme:a-taste:begin
using Mlp;
// readme:a-taste:end
// readme:training:begin
using Mlp.Data; using Mlp.Models; using Mlp.Optim; using Mlp.Serialization; using Mlp.Training;
// readme:training:end

namespace Mlp.Tests.Readme;

public class ReadmeExamples
{
    [Fact]
    public void A_taste_runs_and_its_gradients_have_the_shapes_it_names()
    {
        // readme:a-taste:begin

        var rng = new Rng(42);
        Tensor x = rng.Normal(64, 784);
        Tensor w1 = Init.KaimingNormal(rng, inFeatures: 784, outFeatures: 50, FanMode.FanIn, Gain.Relu);
        Tensor b1 = Tensor.Zeros(50);

        // A layer is a pure function: output plus the map from output gradient to input gradients.
        var (y, back) = Linear.Forward(x, w1, b1);          // y = x·w1 + b1
        var (dx, dw, db) = back(Tensor.Ones(64, 50));       // dx = dy·w1ᵀ, dw = xᵀ·dy, db = Σ_rows dy

        // A tape records the closures and runs them in reverse.
        var tape = new Tape();
        Node nx = tape.Input(x), nw = tape.Parameter("w1", w1), nb = tape.Parameter("b1", b1);
        Node loss = tape.Mse(tape.Linear(tape.Relu(tape.Linear(nx, nw, nb)), tape.Parameter("w2", Init.LeCunNormal(rng, 50, 1)),
                                         tape.Parameter("b2", Tensor.Zeros(1))), target: rng.Normal(64));
        Gradients g = tape.Backward(loss);                   // g[nw], g["b2"], g[nx] …
        // readme:a-taste:end

        Assert.Equal([64, 50], y.Shape);
        Assert.Equal([64, 784], dx.Shape);
        Assert.Equal([784, 50], dw.Shape);
        Assert.Equal(64f, db.ToArray()[0]);                  // Σ_rows of ones
        Assert.Equal([784, 50], g[nw].Shape);
        Assert.Equal([1], g["b2"].Shape);
        Assert.Equal([64, 784], g[nx].Shape);
    }

    /// <summary>Compiled, not run: it trains on the full Fashion-MNIST for 5 epochs (tools/acceptance_training.sh runs that recipe).</summary>
    internal static void Training()
    {
        // readme:training:begin

        var (data, mean, std) = Normalization.ByTrainStatistics(DataLoader.Load("/usr/share/datasets/fashion-mnist"));
        var model = Model.Sequential(Layer.Linear(784, 100), Layer.Relu(), Layer.Linear(100, 10));  // = Model.Perceptron(784, [100], 10)
        Parameters p = model.Init(seed: 0);                   // "0.weight" (784, 100), "0.bias", "2.weight", "2.bias"
        Tensor xBatch = data.Train.X.Rows(0, 64);             // one batch: 64 normalized images and their labels
        int[] labels = data.Train.Labels.Take(64).ToArray();
        var g = model.Gradient(p, xBatch, labels, Loss.CrossEntropy);   // forward, loss, backward on one tape
        // g.Output, g.Loss, g.Gradients["0.weight"] …: one gradient per parameter, by its state_dict name
        var opt = new Sgd(0.1f) { Momentum = 0.9f };          // or new Adam(1e-3f)
        var (p2, state2) = opt.Step(p, g.Gradients, opt.Init(p));

        // or the whole loop: seeded shuffles, validation each epoch, history; optional progress: and cancellationToken:
        var result = Trainer.Fit(model, opt, TrainingState.Start(model, opt, 0), data.Train, data.Valid,
                                 new TrainingOptions(Epochs: 5, BatchSize: 64, Seed: 0) { Schedule = LearningRateSchedule.Cosine });
        ModelFile.Save("model.safetensors", model, result.State.Parameters, new InputNormalization(mean, std));  // PyTorch layout and names
        // readme:training:end
    }
}
