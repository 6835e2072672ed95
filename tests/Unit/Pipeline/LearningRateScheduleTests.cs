using Mlp.Data;
using Mlp.Models;
using Mlp.Optim;
using Mlp.Serialization;
using Mlp.Training;

namespace Mlp.Tests.Pipeline;

public class LearningRateScheduleTests
{
    [Fact]
    public void Cosine_starts_at_the_base_rate_halves_midway_and_nears_zero_at_the_end()
    {
        var c = LearningRateSchedule.Cosine;
        Assert.Equal(1.0, c.Factor(0, 20), 12);
        Assert.Equal(0.5, c.Factor(10, 20), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 19 / 20)), c.Factor(19, 20), 12);   // ≈ 0.0062
    }

    [Fact]
    public void Step_decay_multiplies_by_gamma_every_n_epochs()
    {
        var s = LearningRateSchedule.Step(3, 0.1f);
        Assert.Equal([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01], Enumerable.Range(0, 7).Select(e => Math.Round(s.Factor(e, 10), 6)));
    }

    [Fact]
    public void The_trainer_runs_each_epoch_at_the_scheduled_rate()
    {
        Dataset train = PipelineFixtures.Blobs(200, 6, 3, 1);
        var model = Model.Perceptron(6, [8], 3);
        var opt = new Sgd(0.2f) { Momentum = 0.5f };
        var start = TrainingState.Start(model, opt, 2);
        var scheduled = Trainer.Fit(model, opt, start, train, null, new TrainingOptions(2, 32, 2) { Schedule = LearningRateSchedule.Cosine }, null, default);

        // By hand: epoch 1 at 0.2·1, epoch 2 at 0.2·½(1 + cos(π/2)) = 0.1.
        var first = Trainer.Fit(model, opt, start, train, null, new TrainingOptions(1, 32, 2), null, default);
        var second = Trainer.Fit(model, opt with { Lr = (float)(0.2f * LearningRateSchedule.Cosine.Factor(1, 2)) }, first.State, train, null, new TrainingOptions(2, 32, 2), null, default);
        Assert.True(second.State.Parameters.BitwiseEquals(scheduled.State.Parameters));
    }

    [Fact]
    public void A_checkpoint_keeps_the_schedule()
    {
        var model = Model.Perceptron(3, [2], 2);
        var opt = new Adam(0.01f);
        var options = new TrainingOptions(7, 16, 1) { Schedule = LearningRateSchedule.Step(2, 0.5f) };
        string dir = PipelineFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "c.safetensors");
            CheckpointFile.Save(path, new Checkpoint(model, opt, options, TrainingState.Start(model, opt, 1), new Dictionary<string, string>()));
            var back = CheckpointFile.Load(path);
            Assert.Equal(options.Schedule, back.Options.Schedule);
            Assert.Equal(opt, back.Optimizer);
            Assert.Equal((7, 16, 1UL), (back.Options.Epochs, back.Options.BatchSize, back.Options.Seed));
        }
        finally { Directory.Delete(dir, true); }
    }
}
