using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

/// <summary>Dropout and BatchNorm1d as model layers: modes, buffers returned (never mutated), seeded masks, training and resuming.</summary>
public class TrainEvalLayerTests
{
    private static readonly Dataset Train = PipelineFixtures.Blobs(600, 8, 3, seed: 1);
    private static readonly Dataset Valid = PipelineFixtures.Blobs(150, 8, 3, seed: 2);
    private static readonly Model Net = Model.Parse("Linear(8, 16) BatchNorm1d(16) GELU() Dropout(0.25) Linear(16, 3)");

    [Fact]
    public void BatchNorm1d_layer_is_the_core_layer_in_both_modes_and_returns_new_statistics_without_changing_the_old()
    {
        var layer = Layer.BatchNorm1d(4, momentum: 0.2);
        var rng = new Rng(3);
        Tensor x = rng.Normal(6, 4) * 2f + 1f, w = rng.Normal(4), b = rng.Normal(4), dy = rng.Normal(6, 4);
        var state = new LayerState([rng.Normal(4), rng.Uniform([4], 0.5f, 2f)], [7]);
        float[] meanBefore = state.Tensors[0].ToArray(), varBefore = state.Tensors[1].ToArray();
        foreach (bool training in new[] { true, false })
        {
            var tape = new Tape();
            Node nx = tape.Input(x), nw = tape.Parameter("w", w), nb = tape.Parameter("b", b);
            var (y, next) = layer.Record(tape, nx, [nw, nb], state, training ? ForwardMode.Train(1) : ForwardMode.Eval);
            var g = tape.Backward(y, dy);
            var stats = new BatchNorm1d.Stats(state.Tensors[0], state.Tensors[1], 7);
            var (core, coreStats) = training ? BatchNorm1d.Train(x, w, b, stats, 0.2, 1e-5) : new BatchNorm1d.TrainResult(BatchNorm1d.Eval(x, w, b, stats, 1e-5), stats);
            var cg = core.Backward(dy);
            Assert.Equal(core.Output.ToArray(), y.Value.ToArray());
            Assert.Equal(cg.Dx.ToArray(), g[nx].ToArray());
            Assert.Equal(cg.Dweight!.ToArray(), g[nw].ToArray());
            Assert.Equal(cg.Dbias!.ToArray(), g[nb].ToArray());
            Assert.Equal(coreStats.RunningMean.ToArray(), next.Tensors[0].ToArray());
            Assert.Equal(coreStats.RunningVar.ToArray(), next.Tensors[1].ToArray());
            Assert.Equal(training ? 8 : 7, next.Counts[0]);
        }
        Assert.Equal(meanBefore, state.Tensors[0].ToArray());
        Assert.Equal(varBefore, state.Tensors[1].ToArray());
    }

    [Fact]
    public void Dropout_layer_draws_the_same_mask_for_the_same_seed_another_for_another_and_is_the_identity_in_evaluation()
    {
        var layer = Layer.Dropout(0.5);
        Tensor x = new Rng(2).Normal(20, 30);
        Tensor Run(ForwardMode mode)
        {
            var tape = new Tape();
            return layer.Record(tape, tape.Constant(x), [], LayerState.Empty, mode).Output.Value;
        }
        float[] a = Run(ForwardMode.Train(5)).ToArray(), b = Run(ForwardMode.Train(5)).ToArray(), c = Run(ForwardMode.Train(6)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // The mask is Core's Keep drawn from the mode's stream: kept entries are x·2, dropped ones 0.
        Tensor keep = Dropout.Keep(new Rng(5), [20, 30], 0.5);
        Assert.Equal((x * keep * 2f).ToArray(), a);
        int dropped = a.Count(v => v == 0);
        Assert.InRange(dropped, 240, 360);                     // 600 draws at p = 0.5 (±4.9σ)
        Assert.Equal(x.ToArray(), Run(ForwardMode.Eval).ToArray());
    }

    [Fact]
    public void Each_layer_of_a_model_draws_its_own_mask_from_the_forwards_seed()
    {
        var model = Model.Sequential(Layer.Dropout(0.5), Layer.Dropout(0.5));
        Tensor x = Tensor.Ones(10, 40);
        var tape = new Tape();
        var (y, _) = model.Record(tape, tape.Constant(x), Parameters.Empty, Buffers.Empty, ForwardMode.Train(9));
        var mode = ForwardMode.Train(9);
        Tensor expected = x * Dropout.Keep(mode.ForLayer(0).Rng(), [10, 40], 0.5) * 2f * Dropout.Keep(mode.ForLayer(1).Rng(), [10, 40], 0.5) * 2f;
        Assert.Equal(expected.ToArray(), y.Value.ToArray());
        Assert.NotEqual(mode.ForLayer(0).Seed, mode.ForLayer(1).Seed);
        Assert.Equal(ForwardMode.ForStep(1, 2, 3), ForwardMode.ForStep(1, 2, 3));
        Assert.NotEqual(ForwardMode.ForStep(1, 2, 3).Seed, ForwardMode.ForStep(1, 2, 4).Seed);
        Assert.NotEqual(ForwardMode.ForStep(1, 2, 3).Seed, ForwardMode.ForStep(1, 3, 3).Seed);
    }

    [Fact]
    public void Calls_that_cannot_say_the_mode_or_lack_buffers_are_refused_saying_what_to_call()
    {
        var p = Net.Init(0);
        Tensor x = new Rng(1).Normal(4, 8);
        var e1 = Assert.Throws<InvalidOperationException>(() => Net.Gradient(p, x, [0, 1, 2, 0], Loss.CrossEntropy));
        Assert.Contains("Gradient(parameters, buffers, x, labels, loss, mode)", e1.Message);
        Assert.Contains("BatchNorm1d(16), Dropout(0.25)", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Net.Predict(p, x));
        Assert.Contains("has buffers 1.running_mean, 1.running_var, 1.num_batches_tracked; got none", e2.Message);
        var e3 = Assert.Throws<InvalidOperationException>(() => Layer.BatchNorm1d(8).Predict([Tensor.Ones(8), Tensor.Zeros(8)], x));
        Assert.Contains("Predict(parameters, state, x)", e3.Message);
        var opt = new Sgd(0.1f);
        var noBuffers = TrainingState.Start(Net, opt, 0) with { Buffers = Buffers.Empty };
        var e4 = Assert.Throws<ArgumentException>(() => Trainer.Fit(Net, opt, noBuffers, Train, Valid, new TrainingOptions(1, 32, 0)));
        Assert.Contains("model.InitBuffers()", e4.Message);
        // A model without mode-dependent layers keeps the old calls.
        var plain = Model.Parse("Linear(8, 4) Tanh() Linear(4, 3)");
        Assert.Equal(plain.Predict(plain.Init(0), x).ToArray(), plain.Predict(plain.Init(0), Buffers.Empty, x).ToArray());
    }

    [Fact]
    public void Training_returns_running_statistics_counted_per_step_and_validation_uses_them_in_evaluation_mode()
    {
        var opt = new Adam(0.01f);
        var start = TrainingState.Start(Net, opt, 0);
        var r = Trainer.Fit(Net, opt, start, Train, Valid, new TrainingOptions(2, 32, 0));
        Assert.True(r.History[^1].ValidAccuracy > 0.95, $"valid accuracy {r.History[^1].ValidAccuracy}");
        Assert.Equal(2 * 19, r.State.Buffers.Count("1.num_batches_tracked"));        // 600 rows / 32 = 19 steps per epoch
        Assert.Equal(0, start.Buffers.Count("1.num_batches_tracked"));                 // the start state is unchanged
        Assert.Equal(new float[16], start.Buffers["1.running_mean"].ToArray());
        Assert.NotEqual(new float[16], r.State.Buffers["1.running_mean"].ToArray());
        var ev = Trainer.Evaluate(Net, r.State.Parameters, r.State.Buffers, Valid, Loss.CrossEntropy, 4096);
        Assert.Equal(r.History[^1].ValidAccuracy, ev.Accuracy, 12);
        Assert.Equal(r.History[^1].ValidLoss, ev.Loss, 12);
        // The running statistics are the ones the batches produced: replaying the steps by hand gives the same buffers.
        var p = start.Parameters;
        var b = start.Buffers;
        var os = start.OptimizerState;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int step = 0;
            foreach (var batch in BatchSource.From(Train).Epoch(epoch, 32, 0, 0))
            {
                var s = Trainer.Step(Net, opt, Loss.CrossEntropy, p, b, os, batch.X, batch.LabelArray, ForwardMode.ForStep(0, epoch, step++));
                (p, b, os) = (s.Parameters, s.Buffers, s.State);
            }
        }
        Assert.True(p.BitwiseEquals(r.State.Parameters));
        Assert.True(b.BitwiseEquals(r.State.Buffers));
    }

    [Fact]
    public void A_resumed_run_with_dropout_and_batchnorm_equals_an_uninterrupted_one_bit_for_bit()
    {
        var opt = new Sgd(0.05f) { Momentum = 0.9f };
        var options = new TrainingOptions(2, 32, 9);
        var full = Trainer.Fit(Net, opt, TrainingState.Start(Net, opt, 9), Train, Valid, options);
        var other = Trainer.Fit(Net, opt, TrainingState.Start(Net, opt, 9), Train, Valid, options with { Seed = 10 });
        Assert.False(full.State.Parameters.BitwiseEquals(other.State.Parameters));

        using var cts = new CancellationTokenSource();
        int steps = 0;
        var stopped = Trainer.Fit(Net, opt, TrainingState.Start(Net, opt, 9), Train, Valid, options,
                                  new Capture(p => { if (p.Completed == null && ++steps == 23) cts.Cancel(); }), cts.Token);
        Assert.Equal((1, 4), (stopped.State.Epoch, stopped.State.Step));
        string dir = PipelineFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "run.ckpt.safetensors");
            CheckpointFile.Save(path, new Checkpoint(Net, opt, options, stopped.State, new Dictionary<string, string>()));
            var ck = CheckpointFile.Load(path);
            Assert.True(stopped.State.Buffers.BitwiseEquals(ck.State.Buffers));
            var resumed = Trainer.Fit(ck.Model, ck.Optimizer, ck.State, Train, Valid, ck.Options);
            Assert.True(full.State.Parameters.BitwiseEquals(resumed.State.Parameters));
            Assert.True(full.State.Buffers.BitwiseEquals(resumed.State.Buffers));
            Assert.True(full.State.OptimizerState.BitwiseEquals(resumed.State.OptimizerState));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_model_file_stores_buffers_in_pytorch_layout_and_loads_them_back_bit_for_bit()
    {
        var opt = new Adam(0.01f);
        var r = Trainer.Fit(Net, opt, TrainingState.Start(Net, opt, 0), Train, null, new TrainingOptions(1, 32, 0));
        string dir = PipelineFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "bn.safetensors");
            ModelFile.Save(path, Net, r.State.Parameters, r.State.Buffers, new InputNormalization(0.5f, 2f));
            var content = SafeTensors.Load(path);
            Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "1.running_mean", "1.running_var"], content.Tensors.Select(t => t.Name));
            var count = Assert.Single(content.Int64Tensors);
            Assert.Equal(("1.num_batches_tracked", 0, 19L), (count.Name, count.Shape.Count, count.Values[0]));
            Assert.Equal([16, 8], content.Tensors[0].Value.Shape);                      // Linear weight as PyTorch's (out, in)

            var saved = ModelFile.Load(path);                                          // no spec needed: the file says what it holds
            Assert.Equal(Net.ToString(), saved.Model.ToString());
            Assert.True(saved.Parameters.BitwiseEquals(r.State.Parameters));
            Assert.True(saved.Buffers.BitwiseEquals(r.State.Buffers));
            Assert.Equal(Net.Predict(r.State.Parameters, r.State.Buffers, Valid.X).ToArray(), saved.Predict(Valid.X).ToArray());
            var bytes = ModelFile.Deserialize(File.ReadAllBytes(path), "bytes");
            Assert.True(bytes.Buffers.BitwiseEquals(r.State.Buffers));

            // A file without the buffers, or with an unusable one, is refused naming it.
            string bare = Path.Combine(dir, "bare.safetensors");
            SafeTensors.Save(bare, content.Tensors, content.Metadata);
            Assert.Contains("no I64 tensor '1.num_batches_tracked'", Assert.Throws<InvalidDataException>(() => ModelFile.Load(bare)).Message);
            string negative = Path.Combine(dir, "negative.safetensors");
            SafeTensors.Save(negative, content.Tensors.Select(t => t.Name == "1.running_var" ? t with { Value = -t.Value } : t).ToArray(), content.Int64Tensors, content.Metadata);
            Assert.Contains("'1.running_var' holds a negative variance", Assert.Throws<InvalidDataException>(() => ModelFile.Load(negative)).Message);
            Assert.Contains("has buffers", Assert.Throws<ArgumentException>(() => ModelFile.Save(bare, Net, r.State.Parameters, metadata: null)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    private sealed class Capture(Action<TrainingProgress> f) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => f(value);
    }
}
