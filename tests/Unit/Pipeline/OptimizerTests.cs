using System.Text.Json;
using Mlp.Models;
using Mlp.Optim;

namespace Mlp.Tests.Pipeline;

public class OptimizerTests
{
    private static Parameters P(params float[] v) => Parameters.From([new NamedTensor("w", Tensor.FromArray(v, v.Length))]);

    private static Parameters Run(IOptimizer opt, Parameters p, params Parameters[] grads)
    {
        var s = opt.Init(p);
        foreach (var g in grads) (p, s) = opt.Step(p, g, s);
        return p;
    }

    [Fact]
    public void Sgd_step_is_p_minus_lr_times_g()
    {
        var p = Run(new Sgd(0.1f), P(1, -2), P(0.5f, 4));
        Assert.Equal([0.95f, -2.4f], p["w"].ToArray());
    }

    [Fact]
    public void Sgd_momentum_buffer_starts_at_the_first_gradient_then_accumulates()
    {
        var opt = new Sgd(0.1f) { Momentum = 0.9f };
        // step 1: b = g = 1 → p = 1 − 0.1 = 0.9; step 2: b = 0.9·1 + 2 = 2.9 → p = 0.9 − 0.29 = 0.61
        var p = Run(opt, P(1), P(1), P(2));
        Assert.Equal(0.61f, p["w"][0], 6);
    }

    [Fact]
    public void Sgd_nesterov_steps_along_g_plus_momentum_times_buffer()
    {
        var opt = new Sgd(0.1f) { Momentum = 0.5f, Nesterov = true };
        // step 1: b = 1, step = 1 + 0.5·1 = 1.5 → 0.85; step 2: b = 0.5 + 2 = 2.5, step = 2 + 1.25 = 3.25 → 0.525
        var p = Run(opt, P(1), P(1), P(2));
        Assert.Equal(0.525f, p["w"][0], 6);
    }

    [Fact]
    public void Sgd_weight_decay_adds_the_l2_gradient()
    {
        var p = Run(new Sgd(0.5f) { WeightDecay = 0.1f }, P(2), P(0));
        Assert.Equal(2 - 0.5f * 0.2f, p["w"][0], 6);
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_lr_against_the_gradients_sign()
    {
        // After one step m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
        var p = Run(new Adam(0.01f), P(1, 1, 1), P(3, -0.001f, 100));
        Assert.Equal([0.99f, 1.01f, 0.99f], p["w"].ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void Optimizer_steps_leave_their_inputs_unchanged()
    {
        var p = P(1, 2);
        var g = P(3, 4);
        var opt = new Adam(0.1f);
        var s = opt.Init(p);
        var next = opt.Step(p, g, s);
        Assert.Equal([1f, 2f], p["w"].ToArray());
        Assert.Equal(0, s.Step);
        Assert.Equal([0f, 0f], s.Buffer(Adam.ExpAvg)["w"].ToArray());
        Assert.Equal(1, next.State.Step);
    }

    [Fact]
    public void Sgd_and_adam_match_torch_optim_for_four_steps()
    {
        var fx = PipelineFixtures.Json("optim.json");
        int[] shape = PipelineFixtures.Ints(fx.GetProperty("shape"));
        var p0 = Parameters.From([new NamedTensor("p", Tensor.FromArray(PipelineFixtures.Floats(fx.GetProperty("p0")), shape))]);
        var grads = fx.GetProperty("grads").EnumerateArray()
            .Select(g => Parameters.From([new NamedTensor("p", Tensor.FromArray(PipelineFixtures.Floats(g), shape))])).ToArray();
        foreach (var c in fx.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            var cfg = c.GetProperty("config");
            float Get(string k, float d) => cfg.TryGetProperty(k, out var v) ? (float)v.GetDouble() : d;
            IOptimizer opt = name.StartsWith("adam", StringComparison.Ordinal)
                ? new Adam(Get("lr", 0))
                {
                    WeightDecay = Get("weight_decay", 0), Epsilon = Get("eps", 1e-8f),
                    Beta1 = cfg.TryGetProperty("betas", out var b) ? (float)b[0].GetDouble() : 0.9f,
                    Beta2 = cfg.TryGetProperty("betas", out var b2) ? (float)b2[1].GetDouble() : 0.999f
                }
                : new Sgd(Get("lr", 0))
                {
                    Momentum = Get("momentum", 0), Dampening = Get("dampening", 0), WeightDecay = Get("weight_decay", 0),
                    Nesterov = cfg.TryGetProperty("nesterov", out var n) && n.GetBoolean()
                };
            var p = p0;
            var s = opt.Init(p);
            int step = 0;
            foreach (var expected in c.GetProperty("steps").EnumerateArray())
            {
                (p, s) = opt.Step(p, grads[step++], s);
                float[] want = PipelineFixtures.Floats(expected);
                var got = p["p"].AsSpan();
                for (int i = 0; i < want.Length; i++)
                    Assert.True(Math.Abs(got[i] - want[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])), $"{name} step {step} [{i}]: {got[i]} vs torch {want[i]}");
            }
        }
    }

    [Fact]
    public void Gradients_with_other_names_are_rejected_naming_them()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).Step(P(1), Parameters.From([new NamedTensor("v", Tensor.Zeros(1))]), new Sgd(0.1f).Init(P(1))));
        Assert.Contains("'v'", e.Message);
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void Invalid_hyper_parameters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Sgd(0).Init(P(1)));
        Assert.Throws<ArgumentException>(() => new Sgd(0.1f) { Nesterov = true }.Init(P(1)));
        Assert.Throws<ArgumentException>(() => new Adam(0.1f) { Beta1 = 1 }.Init(P(1)));
    }
}
