using System.Globalization;
using System.Text;

namespace Mlp.Models;

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Index">The layer's position (the prefix of its parameter names).</param>
/// <param name="Layer">The layer's name, e.g. <c>Linear(784, 100)</c>.</param>
/// <param name="OutputShape">The output shape for a batch of n rows, with −1 standing for n.</param>
/// <param name="ParameterCount">Its number of parameter elements.</param>
public sealed record LayerSummary(int Index, string Layer, IReadOnlyList<int> OutputShape, long ParameterCount);

/// <summary>Layers, output shapes and parameter counts, like <c>torchinfo.summary(model, input_size)</c>.</summary>
/// <param name="InputFeatures">The input size the shapes were computed for.</param>
/// <param name="Layers">One row per layer.</param>
public sealed record ModelSummary(int InputFeatures, IReadOnlyList<LayerSummary> Layers)
{
    /// <summary>The total number of parameter elements ("Total params").</summary>
    public long TotalParameters => Layers.Sum(l => l.ParameterCount);

    internal static ModelSummary Of(Model model, int inputFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputFeatures);
        // Output shapes are found by running one zero row through freshly initialized layers: exact for any layer.
        var p = model.Init(0);
        Tensor h = Tensor.Zeros(1, inputFeatures);
        var rows = new List<LayerSummary>();
        int offset = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            int count = layer.ParameterSpecs.Count;
            var values = new Tensor[count];
            long n = 0;
            for (int j = 0; j < count; j++) { values[j] = p[offset + j].Value; n += values[j].Length; }
            h = layer.Predict(values, layer.InitState(), h);
            int[] shape = h.ShapeArray();
            if (shape.Length > 0) shape[0] = -1;
            rows.Add(new LayerSummary(i, layer.Name, shape, n));
            offset += count;
        }
        return new ModelSummary(inputFeatures, rows);
    }

    /// <summary>The table, e.g. <c>0  Linear(784, 100)  [-1, 100]  78,500</c> and a total line.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        int w = Math.Max(20, Layers.Max(l => l.Layer.Length) + 2);
        var sb = new StringBuilder();
        sb.AppendLine($"{"#",-3} {"Layer".PadRight(w)} {"Output shape",-14} {"Param #",12}");
        sb.AppendLine(new string('-', 3 + 1 + w + 1 + 14 + 1 + 12));
        sb.AppendLine($"{"",-3} {"Input".PadRight(w)} {"[-1, " + InputFeatures.ToString(ci) + "]",-14} {"",12}");
        foreach (var l in Layers)
            sb.AppendLine($"{l.Index,-3} {l.Layer.PadRight(w)} {"[" + string.Join(", ", l.OutputShape) + "]",-14} {l.ParameterCount.ToString("N0", ci),12}");
        sb.AppendLine(new string('-', 3 + 1 + w + 1 + 14 + 1 + 12));
        sb.Append(ci, $"Total params: {TotalParameters:N0}");
        return sb.ToString();
    }
}
