using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Mlp.Numpy;
using static Mlp.Onnx.Tests.OnnxCheck;

namespace Mlp.Onnx.Tests;

/// <summary>
/// The user's path: <c>mlp train --save</c>, <c>mlp export</c>, then ONNX Runtime and ML.NET's ApplyOnnxModel on the rows
/// <c>mlp eval --predictions</c> wrote: the same predicted classes as <c>mlp eval</c>, logits within 1e-5.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mlp-export-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string F(string name) => Path.Combine(dir, name);

    [Fact]
    public void Onnx_runtime_and_ml_net_reproduce_mlp_eval_on_every_evaluated_row()
    {
        // Default data: full Fashion-MNIST when installed (eval: its 10000 test rows), else the embedded split.
        // A model with buffers (BatchNorm1d's running statistics), both GELUs and a mode-dependent Dropout, from --model.
        Mlp("train", "--limit", "3000", "--model", "Linear(784, 32) BatchNorm1d(32) GELU() Dropout(0.1) Linear(32, 16) GELU(approximate='tanh') Linear(16, 10)",
            "--epochs", "1", "--seed", "2", "--save", F("m.safetensors"), "--json");
        var export = JsonDocument.Parse(Mlp("export", "--model", F("m.safetensors"), "--onnx", F("m.onnx"), "--json")).RootElement;
        Assert.Equal(13, export.GetProperty("export").GetProperty("opset").GetInt32());
        Assert.Equal(JsonValueKind.Object, export.GetProperty("export").GetProperty("normalization").ValueKind);
        var eval = JsonDocument.Parse(Mlp("eval", "--model", F("m.safetensors"), "--predictions", F("p.npz"), "--rows", "10000", "--json")).RootElement;
        int rows = eval.GetProperty("evaluation").GetProperty("rows").GetInt32();

        var npz = NpzReader.Read(F("p.npz"));
        Tensor x = npz["x"].ToTensor(), logits = npz["logits"].ToTensor();
        long[] predicted = npz["predicted"].ToInt64Array();
        Assert.Equal(Math.Min(rows, 10000), x.Shape[0]);

        using var session = new InferenceSession(F("m.onnx"));
        float[] ort = RunOnnxRuntime(session, x);
        Assert.True(MaxAbsDiff(ort, logits.AsSpan()) <= 1e-5, $"ONNX Runtime: max |logit difference| {MaxAbsDiff(ort, logits.AsSpan())}");
        Assert.Equal(predicted, ArgMaxRows(ort, logits.Shape[1]).Select(c => (long)c));

        float[] mlnet = RunMlNet(F("m.onnx"), x);
        Assert.True(MaxAbsDiff(mlnet, logits.AsSpan()) <= 1e-5, $"ML.NET: max |logit difference| {MaxAbsDiff(mlnet, logits.AsSpan())}");
        Assert.Equal(predicted, ArgMaxRows(mlnet, logits.Shape[1]).Select(c => (long)c));
    }

    [Fact]
    public void Export_refuses_a_missing_model_with_one_line_and_exit_code_2()
    {
        var (code, _, err) = Run("export", "--model", F("none.safetensors"), "--onnx", F("m.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("none.safetensors", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(F("m.onnx")));
    }

    private static string Mlp(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, $"mlp {string.Join(' ', args)} exited with {code}: {stderr}");
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); Assert.Fail($"mlp {string.Join(' ', args)} took over 5 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
