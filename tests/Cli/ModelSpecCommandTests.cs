using System.Text.Json;

namespace Mlp.Tests.Cli;

/// <summary><c>mlp train --model SPEC</c> (layers as PyTorch writes them) and <c>mlp eval</c> with no spec, on a slice of the embedded Fashion-MNIST split.</summary>
public sealed class ModelSpecCommandTests : IDisposable
{
    private const string Spec = "Linear(784, 32) BatchNorm1d(32) GELU() Dropout(0.1) Linear(32, 10)";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-spec-" + Guid.NewGuid().ToString("N"));
    private readonly string data = Path.Combine(MlpProcess.RepoRoot(), "data", "fashion-mnist");

    public ModelSpecCommandTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, true);

    private string F(string name) => Path.Combine(dir, name);

    private MlpProcess.Result Train(params string[] extra) =>
        MlpProcess.Run(["train", "--data", data, "--limit", "1500", "--batch", "50", "--seed", "1", .. extra]);

    private static JsonElement Json(MlpProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void A_spec_model_trains_saves_and_evaluates_in_eval_mode_without_a_spec_and_resumes_bit_for_bit()
    {
        var t = Json(Train("--model", Spec, "--epochs", "2", "--optimizer", "adam", "--json", "--save", F("m.safetensors")));
        Assert.Equal("Linear(784, 32) → BatchNorm1d(32) → GELU() → Dropout(0.1) → Linear(32, 10)", t.GetProperty("setup").GetProperty("architecture").GetString());
        double valid = t.GetProperty("result").GetProperty("valid_accuracy").GetDouble();
        Assert.InRange(valid, 0.65, 1.0);

        // eval needs no spec: the file says what it holds, and evaluation mode gives the accuracy training reported.
        var e = Json(MlpProcess.Run("eval", "--model", F("m.safetensors"), "--data", data, "--json"));
        Assert.Equal(t.GetProperty("setup").GetProperty("architecture").GetString(), e.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal(valid, e.GetProperty("evaluation").GetProperty("accuracy").GetDouble(), 12);

        // Dropout masks and running statistics continue exactly across a checkpoint.
        Json(Train("--model", Spec, "--epochs", "1", "--optimizer", "adam", "--json", "--checkpoint", F("run.ckpt")));
        Json(MlpProcess.Run("train", "--data", data, "--limit", "1500", "--resume", F("run.ckpt"), "--epochs", "2", "--json", "--save", F("resumed.safetensors")));
        Assert.Equal(File.ReadAllBytes(F("m.safetensors")), File.ReadAllBytes(F("resumed.safetensors")));
    }

    [Theory]
    [InlineData(new[] { "--model", Spec, "--hidden", "32" }, "--hidden and --model both say what the model is")]
    [InlineData(new[] { "--model", "Linear(784, 32) Swish() Linear(32, 10)" }, "--model: layer 1: 'Swish()' is not a known layer")]
    [InlineData(new[] { "--model", "Linear(100, 32) ReLU() Linear(32, 10)" }, "--model: the first layer, Linear(100, 32), takes 100 features but the data has 784")]
    [InlineData(new[] { "--model", "Linear(784, 32) ReLU() Linear(16, 10)" }, "--model: the layers do not fit together")]
    [InlineData(new[] { "--model", "Linear(784, 32) ReLU() Linear(32, 5)" }, "--model: the model ends with [-1, 5] outputs but the data has 10 classes")]
    [InlineData(new[] { "--model", "Linear(784, 32) Dropout(p=2) Linear(32, 10)" }, "--model: layer 1: 'Dropout(p=2)': Dropout: p must be in [0, 1]")]
    public void A_bad_or_conflicting_spec_is_a_usage_error_naming_the_option(string[] args, string expected)
    {
        var r = Train([.. args, "--epochs", "1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
