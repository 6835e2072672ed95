using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlp.Numpy;

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
        Mlp("train", "--limit", "3000", "--hidden", "32", "--epochs", "1", "--seed", "2", "--save", F("m.safetensors"), "--json");
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
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x.ToArray(), [x.Shape[0], x.Shape[1]]))]);
        float[] ort = results.Single().AsEnumerable<float>().ToArray();
        Assert.True(MaxAbsDiff(ort, logits.AsSpan()) <= 1e-5, $"ONNX Runtime: max |logit difference| {MaxAbsDiff(ort, logits.AsSpan())}");
        Assert.Equal(predicted, ArgMaxRows(ort, logits.Shape[1]).Select(c => (long)c));

        var ml = new MLContext(seed: 0);
        float[] raw = x.ToArray();
        int f = x.Shape[1];
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, f);   // a fixed-size vector, as the graph's input
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Shape[0]).Select(r => new Row { Input = raw.AsSpan(r * f, f).ToArray() }), schema);
        var scored = ml.Transforms.ApplyOnnxModel(["logits"], ["input"], F("m.onnx")).Fit(view).Transform(view);
        float[] mlnet = scored.GetColumn<float[]>("logits").SelectMany(v => v).ToArray();
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

    private sealed class Row
    {
        [ColumnName("input")] public float[] Input { get; set; } = [];
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

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }

    private static int[] ArgMaxRows(float[] v, int cols) =>
        Enumerable.Range(0, v.Length / cols).Select(r => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(v.AsSpan(r * cols, cols))).ToArray();
}
