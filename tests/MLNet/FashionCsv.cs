using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Mlp.MLNet.Tests;

/// <summary>The text loader for the suite's CSV files and the preprocessing every ML.NET pipeline in the suite uses.</summary>
public static class FashionCsv
{
    public static TextLoader Loader(MLContext ml) => ml.Data.CreateTextLoader(
        [new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Pixels", DataKind.Single, 1, FashionMnistRows.Pixels)],
        separatorChar: ',', hasHeader: false);

    /// <summary>Concatenate → MapValueToKey, keys in label order (class k = label k, as in our own pipeline).</summary>
    public static IEstimator<ITransformer> Prep(MLContext ml) =>
        ml.Transforms.Concatenate("Features", "Pixels")
          .Append(ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue));

    /// <summary>One line per row: the predicted key, then the scores in round-trip text.</summary>
    public static string[] Predictions(IDataView scored)
    {
        var lines = new List<string>();
        using var c = scored.GetRowCursor([scored.Schema["PredictedLabel"], scored.Schema["Score"]]);
        var gk = c.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        var gs = c.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        uint k = 0;
        VBuffer<float> s = default;
        while (c.MoveNext())
        {
            gk(ref k); gs(ref s);
            lines.Add(k + ";" + string.Join(" ", s.DenseValues().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }
        return lines.ToArray();
    }
}
