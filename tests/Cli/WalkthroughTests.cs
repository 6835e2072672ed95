using System.Text.Json;

namespace Mlp.Tests.Cli;

/// <summary>The walkthrough run end to end on the embedded Fashion-MNIST test split, read back from <c>--json</c>.</summary>
public class WalkthroughTests
{
    private static readonly Lazy<JsonElement> Facts = new(() =>
    {
        string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");
        var r = MlpProcess.Run("--data", data, "--json", "--seed", "3");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout).RootElement;
    });

    private static double Get(params string[] path)
    {
        JsonElement e = Facts.Value;
        foreach (var p in path) e = e.GetProperty(p);
        return e.GetDouble();
    }

    [Fact]
    public void Data_is_split_80_20_from_the_test_file_and_has_the_lessons_n_m_c()
    {
        Assert.Equal(8000, Get("data", "n"));
        Assert.Equal(784, Get("data", "m"));
        Assert.Equal(10, Get("data", "c"));
        Assert.Equal(2000, Get("data", "valid_n"));
    }

    [Fact]
    public void Normalized_training_set_has_mean_0_and_std_1()
    {
        Assert.InRange(Get("normalization", "train_mean_after"), -1e-3, 1e-3);
        Assert.InRange(Get("normalization", "train_std_after"), 1 - 1e-3, 1 + 1e-3);
        // Fashion-MNIST pixels/255 have mean ≈ 0.286 and std ≈ 0.353 on every split.
        Assert.InRange(Get("normalization", "train_mean_before"), 0.27, 0.30);
        Assert.InRange(Get("normalization", "train_std_before"), 0.34, 0.36);
    }

    [Fact]
    public void Validation_is_normalized_with_training_statistics_so_its_mean_is_near_but_not_exactly_zero()
    {
        double vm = Get("normalization", "valid_mean");
        Assert.InRange(Math.Abs(vm), 1e-6, 0.1);
        Assert.InRange(Get("normalization", "valid_std"), 0.9, 1.1);
    }

    [Fact]
    public void Kaiming_weights_have_std_within_2_percent_of_sqrt_2_over_784()
    {
        double expected = Math.Sqrt(2.0 / 784);
        Assert.Equal(expected, Get("init", "kaiming_normal_fan_in", "expected_std"), 1e-9);
        Assert.InRange(Get("init", "kaiming_normal_fan_in", "weight_std") / expected, 0.98, 1.02);
        Assert.InRange(Get("init", "randn_sqrt_m", "weight_std") * Math.Sqrt(784), 0.98, 1.02);
    }

    [Fact]
    public void After_relu_the_mean_is_positive_and_kaimings_std_is_about_0_8()
    {
        // The lesson: relu removes the negatives, so the mean moves above 0; Kaiming keeps the std near 0.8–0.9.
        Assert.InRange(Get("init", "kaiming_normal_fan_in", "relu_mean"), 0.3, 0.8);
        Assert.InRange(Get("init", "kaiming_normal_fan_in", "relu_std"), 0.65, 1.05);
        // The shift of −0.5 moves the mean by exactly −0.5 and leaves the std alone.
        Assert.Equal(Get("init", "kaiming_normal_fan_in", "relu_mean") - 0.5, Get("init", "kaiming_normal_fan_in", "shifted_relu_mean"), 1e-4);
        Assert.Equal(Get("init", "kaiming_normal_fan_in", "relu_std"), Get("init", "kaiming_normal_fan_in", "shifted_relu_std"), 1e-4);
    }

    [Fact]
    public void Tape_gradients_equal_hand_chained_closures_to_1e_6()
    {
        foreach (var name in new[] { "x", "w1", "b1", "w2", "b2" })
            Assert.InRange(Get("gradients", "tape_vs_hand_chained", name), 0, 1e-6);
    }

    [Fact]
    public void Every_gradient_agrees_with_double_finite_differences_within_its_float32_rounding_bound()
    {
        foreach (var name in new[] { "x", "w1", "b1", "w2", "b2" })
        {
            Assert.True(Get("gradients", "finite_differences", name, "entries") >= 1, $"{name}: no entry was checked");
            double tol = Get("gradients", "finite_differences", name, "tolerance");
            Assert.InRange(tol, 1e-9, 1e-3); // a bound on float32 rounding, far below the old 1e-2 and below any wrong gradient
            Assert.InRange(Get("gradients", "finite_differences", name, "norm_relative_error"), 0, tol);
        }
    }

    private static bool TorchInstalled()
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-c", "import torch, numpy"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [Fact]
    public void Gradients_on_real_rows_agree_with_PyTorch_float64_within_1e_4_or_the_output_says_why_not()
    {
        var torch = Facts.Value.GetProperty("gradients").GetProperty("pytorch");
        bool ran = torch.GetProperty("ran").GetBoolean();
        Assert.Equal(TorchInstalled(), ran);
        if (!ran)
        {
            Assert.False(string.IsNullOrWhiteSpace(torch.GetProperty("reason").GetString()));
            return;
        }
        Assert.Equal("shifted", torch.GetProperty("relu").GetString());
        foreach (var name in new[] { "out", "loss", "x_grad", "w1_grad", "b1_grad", "w2_grad", "b2_grad" })
            Assert.InRange(torch.GetProperty(name).GetProperty("norm_relative_error").GetDouble(), 0, 1e-4);
    }

    [Fact]
    public void The_model_follows_the_lessons_shifted_relu_by_default()
    {
        Assert.Equal("shifted", Facts.Value.GetProperty("model").GetProperty("relu").GetString());
    }

    [Fact]
    public void The_three_weight_gradients_agree_and_are_timed_with_min_and_median()
    {
        foreach (var way in new[] { "outer", "einsum", "matmul" })
        {
            Assert.InRange(Get("weight_gradient", way, "norm_relative_to_matmul"), 0, 1e-5);
            Assert.InRange(Get("weight_gradient", way, "min_ms"), 0, Get("weight_gradient", way, "median_ms"));
        }
    }

    [Fact]
    public void The_fan_out_explanation_sits_beside_the_two_stds_it_produces()
    {
        string text = Facts.Value.GetProperty("init").GetProperty("fan_out_explanation").GetString()!;
        Assert.Contains("nn.Linear stores its weight as (out, in)", text);
        Assert.Contains("sqrt(2/784) = 0.0505", text);
        Assert.Contains("sqrt(2/50) = 0.2000", text);
    }

    [Fact]
    public void An_unknown_relu_is_a_usage_error_naming_the_choices()
    {
        var r = MlpProcess.Run("walkthrough", "--relu", "leaky");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--relu", r.Stderr);
        Assert.Contains("plain, shifted", r.Stderr);
    }

    [Fact]
    public void Model_output_is_one_column_per_validation_row()
    {
        var shape = Facts.Value.GetProperty("model").GetProperty("valid_output_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([2000, 1], shape);
        Assert.True(Get("model", "initial_mse") > 1, "an untrained 1-output model cannot fit labels 0–9");
    }
}
