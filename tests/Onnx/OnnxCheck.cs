using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlp.Data;

namespace Mlp.Onnx.Tests;

/// <summary>
/// What the ONNX tests share: the Fashion-MNIST data they train and test on, running an exported graph with ONNX Runtime
/// and with ML.NET's <c>ApplyOnnxModel</c>, and comparing logits.
/// </summary>
internal static class OnnxCheck
{
    /// <summary>Full Fashion-MNIST when installed (CI installs it), else the embedded split; the test images are t10k either way.</summary>
    public static string DataDir()
    {
        const string full = "/usr/share/datasets/fashion-mnist";
        return File.Exists(Path.Combine(full, "t10k-images-idx3-ubyte.gz")) ? full : Path.Combine(RepoRoot(), "data", "fashion-mnist");
    }

    /// <summary>The 10000 t10k images (pixels in [0, 1], not normalized) and their labels.</summary>
    public static (Tensor Images, int[] Labels) Test(string dir) =>
        (IdxReader.ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz")), IdxReader.ReadLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")));

    /// <summary>The graph's output <paramref name="name"/> from ONNX Runtime for (n, features) <paramref name="x"/>, row-major.</summary>
    public static float[] RunOnnxRuntime(InferenceSession session, Tensor x, string name = OnnxExport.LogitsName)
    {
        var input = new DenseTensor<float>(x.ToArray(), [x.Shape[0], x.Shape[1]]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
        return results.Single(r => r.Name == name).AsEnumerable<float>().ToArray();
    }

    /// <summary>The graph's logits from ML.NET's <c>ApplyOnnxModel</c> over the rows of <paramref name="x"/>, row-major.</summary>
    public static float[] RunMlNet(string onnxPath, Tensor x)
    {
        var ml = new MLContext(seed: 0);
        float[] raw = x.ToArray();
        int n = x.Shape[0], f = x.Shape[1];
        var schema = SchemaDefinition.Create(typeof(InputRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, f);   // a fixed-size vector, as the graph's input
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(r => new InputRow { Input = raw.AsSpan(r * f, f).ToArray() }), schema);
        var scored = ml.Transforms.ApplyOnnxModel([OnnxExport.LogitsName], [OnnxExport.InputName], onnxPath).Fit(view).Transform(view);
        float[][] rows = scored.GetColumn<float[]>(OnnxExport.LogitsName).ToArray();
        Assert.Equal(n, rows.Length);
        return rows.SelectMany(v => v).ToArray();
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return double.IsNaN(m) ? double.PositiveInfinity : m;
    }

    public static int[] ArgMaxRows(float[] v, int cols) =>
        Enumerable.Range(0, v.Length / cols).Select(r => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(v.AsSpan(r * cols, cols))).ToArray();

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Mlp.sln"))) return d.FullName;
        throw new InvalidOperationException("Mlp.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class InputRow
    {
        [ColumnName(OnnxExport.InputName)] public float[] Input { get; set; } = [];
    }
}
