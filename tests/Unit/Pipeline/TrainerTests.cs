using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

public class TrainerTests
{
    private static readonly Dataset Train = PipelineFixtures.Blobs(600, 8, 3, seed: 1);
    private static readonly Dataset Valid = PipelineFixtures.Blobs(150, 8, 3, seed: 2);
    private static readonly Model Net = Model.Perceptron(8, [16], 3);

    private static TrainingResult Fit(IOptimizer opt, TrainingState start, TrainingOptions options, IProgress<TrainingProgress>? progress = null,
                                      CancellationToken ct = default) =>
        Trainer.Fit(Net, opt, start, Train, Valid, options, progress, ct);

    [Fact]
    public void Training_on_separable_blobs_reaches_high_validation_accuracy_and_lowers_the_loss()
    {
        var opt = new Sgd(0.1f);
        var r = Fit(opt, TrainingState.Start(Net, opt, 0), new TrainingOptions(3, 32, 0));
        Assert.False(r.Cancelled);
        Assert.Equal([1, 2, 3], r.History.Select(m => m.Epoch));
        Assert.True(r.History[^1].TrainLoss < r.History[0].TrainLoss);
        Assert.True(r.History[^1].ValidAccuracy > 0.95, $"valid accuracy {r.History[^1].ValidAccuracy}");
        var ev = Trainer.Evaluate(Net, r.State.Parameters, Valid, Loss.CrossEntropy, 64);
        Assert.Equal(r.History[^1].ValidAccuracy, ev.Accuracy, 12);
        Assert.Equal(Valid.Count, ev.Confusion.Sum(row => row.Sum()));
    }

    [Fact]
    public void Two_runs_with_the_same_seed_give_bitwise_identical_parameters()
    {
        var opt = new Sgd(0.05f) { Momentum = 0.9f };
        var a = Fit(opt, TrainingState.Start(Net, opt, 4), new TrainingOptions(2, 16, 4));
        var b = Fit(opt, TrainingState.Start(Net, opt, 4), new TrainingOptions(2, 16, 4));
        Assert.True(a.State.Parameters.BitwiseEquals(b.State.Parameters));
        Assert.True(a.State.OptimizerState.BitwiseEquals(b.State.OptimizerState));
        var c = Fit(opt, TrainingState.Start(Net, opt, 5), new TrainingOptions(2, 16, 5));
        Assert.False(a.State.Parameters.BitwiseEquals(c.State.Parameters));
    }

    [Fact]
    public void Cancellation_stops_cleanly_after_the_step_in_flight()
    {
        var opt = new Sgd(0.1f);
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new Capture(p => { if (++reports == 5) cts.Cancel(); });
        var r = Fit(opt, TrainingState.Start(Net, opt, 0), new TrainingOptions(3, 32, 0), progress, cts.Token);
        Assert.True(r.Cancelled);
        Assert.Equal(0, r.State.Epoch);
        Assert.Equal(5, r.State.Step);              // five steps done, the sixth never started
        Assert.Equal(5, r.State.OptimizerState.Step);
        Assert.Empty(r.History);
    }

    [Fact]
    public void A_resumed_run_equals_an_uninterrupted_one_bit_for_bit()
    {
        var opt = new Adam(0.01f);
        var options = new TrainingOptions(3, 32, 9);
        var full = Fit(opt, TrainingState.Start(Net, opt, 9), options);

        // Stop in the middle of epoch 2, write a checkpoint, read it back, go on.
        using var cts = new CancellationTokenSource();
        int steps = 0;
        var stopped = Fit(opt, TrainingState.Start(Net, opt, 9), options, new Capture(p => { if (p.Completed == null && ++steps == 27) cts.Cancel(); }), cts.Token);
        Assert.True(stopped.Cancelled);
        Assert.Equal((1, 8), (stopped.State.Epoch, stopped.State.Step));   // 19 steps per epoch: 27 = 19 + 8
        string dir = PipelineFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "run.ckpt.safetensors");
            CheckpointFile.Save(path, new Checkpoint(Net, opt, options, stopped.State, new Dictionary<string, string>()));
            var ck = CheckpointFile.Load(path);
            var resumed = Trainer.Fit(ck.Model, ck.Optimizer, ck.State, Train, Valid, ck.Options, null, default);
            Assert.True(full.State.Parameters.BitwiseEquals(resumed.State.Parameters));
            Assert.True(full.State.OptimizerState.BitwiseEquals(resumed.State.OptimizerState));
            Assert.Equal(full.History, resumed.History.Select((m, i) => m with { Seconds = full.History[i].Seconds }));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_diverging_loss_stops_training_naming_the_epoch_and_step_and_suggesting_a_smaller_learning_rate()
    {
        var opt = new Sgd(1e6f);
        var e = Assert.Throws<NonFiniteLossException>(() => Fit(opt, TrainingState.Start(Net, opt, 0), new TrainingOptions(2, 32, 0)));
        Assert.Equal(1, e.Epoch);
        Assert.InRange(e.Step, 2, 19);
        Assert.Contains($"epoch 1, step {e.Step}", e.Message);
        Assert.Contains("smaller learning rate", e.Message);
        Assert.False(double.IsFinite(e.Loss));
    }

    private static bool AllFinite(Parameters p) => p.All(t => t.Value.ToArray().All(float.IsFinite));

    [Fact]
    public void A_parameter_that_overflows_stops_training_at_that_step_naming_it_and_no_non_finite_state_is_reported()
    {
        // A finite loss whose gradient is scaled by 1e30, with a step of 1e10: the first update overflows float while
        // the first batch's loss is still finite.
        var steep = new Loss("steep", (o, l) => { var (v, back) = CrossEntropy.Forward(o, l); return new Vjp<Tensor>(v, d => back(d * 1e30f)); });
        var opt = new Sgd(1e10f);
        var states = new List<TrainingState>();
        var e = Assert.ThrowsAny<TrainingDivergedException>(() =>
            Fit(opt, TrainingState.Start(Net, opt, 0), new TrainingOptions(2, 32, 0) { Loss = steep }, new Capture(p => { if (p.State is { } st) states.Add(st); })));
        Assert.IsNotType<NonFiniteLossException>(e);
        Assert.Equal((1, 1), (e.Epoch, e.Step));
        Assert.Equal("0.weight", e.Parameter);                 // the first parameter, in state_dict order, to go non-finite
        Assert.Contains("parameter '0.weight'", e.Message);
        Assert.Contains("epoch 1, step 1", e.Message);
        Assert.All(states, st => Assert.True(AllFinite(st.Parameters)));
    }

    [Fact]
    public void A_non_finite_validation_loss_stops_training_after_the_epoch_and_the_last_good_state_survives()
    {
        // Validation rows so large that the logits overflow: training itself stays finite.
        var huge = new Dataset(Valid.X * 1e38f, Valid.Labels.ToArray(), "huge validation rows");
        var opt = new Sgd(0.1f);
        var states = new List<TrainingState>();
        var e = Assert.Throws<NonFiniteLossException>(() => Trainer.Fit(Net, opt, TrainingState.Start(Net, opt, 0), Train, huge,
            new TrainingOptions(2, 32, 0), new Capture(p => { if (p.State is { } st) states.Add(st); }), CancellationToken.None));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(Batches.PerEpoch(Train.Count, 32), e.Step);
        Assert.Contains("the validation loss became", e.Message);
        Assert.Null(e.Parameter);
        Assert.Empty(states);                                   // the epoch's end (and its checkpoint) was never reported
    }

    [Fact]
    public void Progress_reports_every_step_and_every_epoch_in_order()
    {
        var opt = new Sgd(0.1f);
        var seen = new List<TrainingProgress>();
        Fit(opt, TrainingState.Start(Net, opt, 0), new TrainingOptions(2, 100, 0), new Capture(seen.Add));
        Assert.Equal(2 * (6 + 1), seen.Count);                           // 6 steps + 1 epoch report, twice
        Assert.Equal([1, 2, 3, 4, 5, 6, 6], seen.Take(7).Select(p => p.Step));
        Assert.NotNull(seen[6].Completed);
        Assert.NotNull(seen[6].State);
        Assert.All(seen.Where(p => p.Completed == null), p => Assert.True(p.ExamplesPerSecond > 0));
    }

    [Fact]
    public void Step_with_a_loss_and_optimizer_equals_the_hand_written_update()
    {
        var p = Net.Init(3);
        var x = Train.X.Rows(0, 10);
        int[] y = Train.Labels.Take(10).ToArray();
        var r = Trainer.Step(Net, new Sgd(0.5f), Loss.CrossEntropy, p, new Sgd(0.5f).Init(p), x, y);
        // By hand: the model and the loss on one tape, backward from the loss.
        var tape = new Tape();
        var lossNode = tape.CrossEntropy(Net.Record(tape, tape.Constant(x), p), y);
        var loss = lossNode.Value;
        var g = tape.Backward(lossNode);
        Assert.Equal(loss.ToScalar(), r.Loss);
        foreach (var (name, w) in p)
            Assert.Equal((w - g[name] * 0.5f).ToArray(), r.Parameters[name].ToArray());
    }

    [Theory]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    public void States_handed_out_keep_their_values_while_training_recycles_its_own_arrays(string which)
    {
        // The loop gives back at once what it alone holds (gradients, its batches, the parameters and optimizer buffers a step
        // replaced), here with weights, buffers and batches large enough to be recycled (200×100 and 100×200 floats). What it
        // handed out, the caller's start state and each epoch's state, must keep its values while later epochs run.
        var data = PipelineFixtures.Blobs(1000, 200, 3, seed: 8);
        var net = Model.Perceptron(200, [100], 3);
        IOptimizer opt = which == "adam" ? new Adam(0.001f) : new Sgd(0.05f) { Momentum = 0.9f };
        var start = TrainingState.Start(net, opt, 3);
        var startValues = Snapshot(start);
        var states = new List<(TrainingState State, float[][] Values)>();
        var progress = new Capture(p => { if (p.State is { } st) states.Add((st, Snapshot(st))); });
        Trainer.Fit(net, opt, start, data, null, new TrainingOptions(3, 100, 3), progress);
        Assert.Equal(3, states.Count);
        Assert.Equal(startValues, Snapshot(start));
        foreach (var (st, values) in states) Assert.Equal(values, Snapshot(st));
        var oneEpoch = Trainer.Fit(net, opt, TrainingState.Start(net, opt, 3), data, null, new TrainingOptions(1, 100, 3));
        Assert.True(oneEpoch.State.Parameters.BitwiseEquals(states[0].State.Parameters));
        Assert.True(oneEpoch.State.OptimizerState.BitwiseEquals(states[0].State.OptimizerState));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    [InlineData("batchnorm-dropout")]
    public void Steps_give_back_what_they_made_and_compute_the_same_bits_as_the_gradient_and_optimizer_by_hand(string which)
    {
        // A step with built-in layers, loss and optimizer hands every array it made, but those it returns, to the next step
        // (Storage.BeginStep): its activations and gradients are reused at once. Each step must give the bits of the gradient
        // and the optimizer called by hand, and what earlier steps returned must keep its values while later steps reuse arrays.
        var net = which == "batchnorm-dropout"
            ? Model.Parse("Linear(20, 30) BatchNorm1d(30) ReLU() Dropout(0.2) Linear(30, 3)")
            : Model.Perceptron(20, [30], 3);
        IOptimizer opt = which switch
        {
            "adam" => new Adam(0.01f),
            "sgd-momentum" => new Sgd(0.05f) { Momentum = 0.9f },
            _ => new Sgd(0.1f),
        };
        var data = PipelineFixtures.Blobs(64 * 6, 20, 3, seed: 9);
        Parameters p = net.Init(4);
        Buffers bufs = net.InitBuffers();
        OptimizerState os = opt.Init(p);
        var returned = new List<(StepResult Result, float[][] Values)>();
        for (int s = 0; s < 6; s++)
        {
            Tensor x = data.X.Rows(s * 64, 64);
            int[] labels = [.. data.Labels.Skip(s * 64).Take(64)];
            var mode = ForwardMode.ForStep(4, 0, s);
            var r = Trainer.Step(net, opt, Loss.CrossEntropy, p, bufs, os, x, labels, mode);
            var g = net.Gradient(p, bufs, x, labels, Loss.CrossEntropy, mode);
            var byHand = opt.Step(p, g.Gradients, os);
            Assert.True(r.Parameters.BitwiseEquals(byHand.Parameters), $"step {s}: parameters");
            Assert.True(r.State.BitwiseEquals(byHand.State), $"step {s}: optimizer state");
            Assert.True(r.Buffers.Tensors.BitwiseEquals(g.Buffers.Tensors), $"step {s}: buffers");
            Assert.Equal(g.Loss, r.Loss);
            returned.Add((r, Values(r)));
            (p, bufs, os) = (r.Parameters, r.Buffers, r.State);
        }
        foreach (var (r, values) in returned) Assert.Equal(values, Values(r));
    }

    [Fact]
    public void A_step_that_fails_gives_nothing_back_and_the_next_step_computes_the_same_bits()
    {
        // A label out of range fails inside the loss, after the forward has made arrays: the step's record of them is
        // dropped, nothing is given back, and the next steps record and recycle as usual.
        var net = Model.Perceptron(20, [30], 3);
        var opt = new Sgd(0.1f);
        var data = PipelineFixtures.Blobs(64 * 3, 20, 3, seed: 10);
        Parameters p = net.Init(7);
        OptimizerState os = opt.Init(p);
        Tensor x = data.X.Rows(0, 64);
        int[] labels = [.. data.Labels.Take(64)];
        int[] bad = [.. labels];
        bad[5] = 7;
        Assert.Throws<ArgumentException>(() => Trainer.Step(net, opt, Loss.CrossEntropy, p, os, x, bad));
        Assert.False(Storage.RecordingStep);
        for (int s = 0; s < 3; s++)
        {
            var r = Trainer.Step(net, opt, Loss.CrossEntropy, p, os, x, labels);
            var byHand = opt.Step(p, net.Gradient(p, x, labels, Loss.CrossEntropy).Gradients, os);
            Assert.True(r.Parameters.BitwiseEquals(byHand.Parameters), $"step {s}");
            (p, os) = (r.Parameters, r.State);
        }
    }

    [Fact]
    public void A_settled_lesson_epoch_allocates_less_per_step_than_its_activations()
    {
        // 784 → 50 → 10, batch 64: the hidden activation and its gradient are 12.8 KB each, and a step used to allocate ~45 KB
        // fresh. With each step's arrays handed to the next and the loop's batches and replaced weights released, what is left
        // is small objects (tensors, tape nodes, closures) and the new biases. Counted on this thread only (other tests run
        // beside this one and may take a pooled array this loop would have reused: 100 steps keep one such miss under 2 KB a step).
        var net = Model.Perceptron(784, [50], 10);
        var opt = new Sgd(0.1f);
        var data = new Dataset(new Rng(6).Normal(64 * 100, 784), [.. Enumerable.Range(0, 64 * 100).Select(i => i % 10)], "random rows");
        var options = new TrainingOptions(1, 64, 6);
        var first = Trainer.Fit(net, opt, TrainingState.Start(net, opt, 6), data, null, options);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Trainer.Fit(net, opt, first.State with { Epoch = 0 }, data, null, options);
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perStep < 2 * 64 * 50 * sizeof(float), $"{perStep} bytes allocated per step");
    }

    private static float[][] Values(StepResult r) =>
        [.. r.Parameters.Select(t => t.Value.ToArray()), .. r.State.Buffers.SelectMany(b => b.Value.Select(t => t.Value.ToArray())),
         .. r.Buffers.Tensors.Select(t => t.Value.ToArray())];

    private static float[][] Snapshot(TrainingState s) =>
        [.. s.Parameters.Select(p => p.Value.ToArray()), .. s.OptimizerState.Buffers.SelectMany(b => b.Value.Select(p => p.Value.ToArray()))];

    private sealed class Capture(Action<TrainingProgress> f) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => f(value);
    }
}
