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

    // PyTorch 1.13: lr of each epoch from OneCycleLR(SGD(lr=1), max_lr=1, total_steps=E, …), scheduler.step() per epoch.
    public static TheoryData<int, double, double, double, double[]> OneCycleReferences => new()
    {
        { 10, 0.3, 25, 1e4, [0.040000000000000036, 0.52, 1.0, 0.9504846320134737, 0.8117456539497631, 0.6112620219362893,
                             0.38874197806371075, 0.18825834605023697, 0.049519367986526286, 4e-06] },
        { 7, 0.5, 10, 100, [0.09999999999999998, 0.41094235253127365, 0.9140576474687263, 0.9505339495172583,
                            0.611649206511179, 0.18906684397156262, 0.001] },
    };

    [Theory]
    [MemberData(nameof(OneCycleReferences))]
    public void One_cycle_matches_PyTorchs_OneCycleLR_stepped_per_epoch(int epochs, double pctStart, double div, double finalDiv, double[] torch)
    {
        var s = LearningRateSchedule.OneCycle(pctStart, div, finalDiv);
        for (int e = 0; e < epochs; e++) Assert.Equal(torch[e], s.Factor(e, epochs), 12);
    }

    [Fact]
    public void Schedules_out_of_range_are_refused_naming_the_field()
    {
        Assert.Contains("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(2, 1.5f)).Message);
        Assert.Contains("pctStart", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.OneCycle(pctStart: 1)).Message);
        var model = Model.Perceptron(2, [], 2);
        var options = new TrainingOptions(3, 4, 0) { Schedule = new StepSchedule(0, 0.5f) };
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, new Sgd(0.1f), TrainingState.Start(model, new Sgd(0.1f), 0),
            PipelineFixtures.Blobs(8, 2, 2, 0), null, options));
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
        var second = Trainer.Fit(model, opt with { LearningRate = (float)(0.2f * LearningRateSchedule.Cosine.Factor(1, 2)) }, first.State, train, null, new TrainingOptions(2, 32, 2), null, default);
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
            Assert.IsType<StepSchedule>(back.Options.Schedule);
            Assert.Equal(opt, back.Optimizer);
            Assert.Equal((7, 16, 1UL), (back.Options.Epochs, back.Options.BatchSize, back.Options.Seed));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("one_cycle")]
    [InlineData("cosine")]
    public void A_checkpoint_keeps_every_kind_of_schedule(string kind)
    {
        var model = Model.Perceptron(3, [2], 2);
        var opt = new Sgd(0.01f);
        var schedule = kind == "cosine" ? LearningRateSchedule.Cosine : LearningRateSchedule.OneCycle(0.4, 5, 50);
        var options = new TrainingOptions(7, 16, 1) { Schedule = schedule };
        string dir = PipelineFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "c.safetensors");
            CheckpointFile.Save(path, new Checkpoint(model, opt, options, TrainingState.Start(model, opt, 1), new Dictionary<string, string>()));
            Assert.Equal(schedule, CheckpointFile.Load(path).Options.Schedule);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_schedule_written_before_typed_schedules_reads_back_as_its_type()
    {
        // The JSON the string-kinded record wrote: {"Kind":…,"StepEpochs":…,"Gamma":…}.
        var step = System.Text.Json.JsonSerializer.Deserialize<LearningRateSchedule>("{\"Kind\":\"step\",\"StepEpochs\":3,\"Gamma\":0.5}");
        Assert.Equal(new StepSchedule(3, 0.5f), step);
        var cosine = System.Text.Json.JsonSerializer.Deserialize<LearningRateSchedule>("{\"Kind\":\"cosine\",\"StepEpochs\":0,\"Gamma\":1}");
        Assert.IsType<CosineSchedule>(cosine);
    }
}
