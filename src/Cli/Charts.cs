using ScottPlot;

namespace Mlp.Cli;

/// <summary>PNG charts drawn with ScottPlot (SkiaSharp underneath; renders headless on Linux).</summary>
internal static class Charts
{
    /// <summary>Loss (left axis) and accuracy (right axis) per epoch: train and validation.</summary>
    public static void TrainingCurves(IReadOnlyList<EpochRow> history, string path, string title)
    {
        var plot = new Plot();
        double[] epochs = history.Select(m => (double)m.Epoch).ToArray();
        // Colour tells train from valid; solid lines are losses (left axis), dashed lines accuracies (right axis).
        AddLine(plot, epochs, history.Select(m => m.TrainLoss).ToArray(), "train loss", Colors.Blue, plot.Axes.Left, LinePattern.Solid);
        AddLine(plot, epochs, history.Select(m => m.ValidLoss).ToArray(), "valid loss", Colors.OrangeRed, plot.Axes.Left, LinePattern.Solid);
        AddLine(plot, epochs, history.Select(m => m.TrainAccuracy).ToArray(), "train accuracy", Colors.Blue, plot.Axes.Right, LinePattern.Dashed);
        AddLine(plot, epochs, history.Select(m => m.ValidAccuracy).ToArray(), "valid accuracy", Colors.OrangeRed, plot.Axes.Right, LinePattern.Dashed);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, Math.Ceiling(epochs.Length / 20.0)));
        plot.Axes.SetLimitsX(epochs.DefaultIfEmpty(1).Min() - 0.5, epochs.DefaultIfEmpty(1).Max() + 0.5);
        plot.Title(title);
        plot.Axes.Title.Label.FontSize = 13;
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss (solid)";
        plot.Axes.Right.Label.Text = "accuracy (dashed)";
        plot.ShowLegend(Edge.Bottom);
        Save(plot, path, 900, 600);
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, IYAxis axis, LinePattern pattern)
    {
        var s = plot.Add.Scatter(xs, ys, color);
        s.LegendText = label;
        s.LineWidth = 2;
        s.MarkerSize = 6;
        s.LinePattern = pattern;
        s.Axes.YAxis = axis;
    }

    /// <summary>Overlaid histograms of several activations (e.g. after lin, relu and shifted relu at init).</summary>
    public static void Histograms(IReadOnlyList<(string Label, float[] Values)> series, string path, string title)
    {
        var plot = new Plot();
        Color[] palette = [Colors.Blue, Colors.OrangeRed, Colors.Green, Colors.Purple];
        double lo = series.Min(s => s.Values.Min()), hi = series.Max(s => s.Values.Max());
        const int bins = 80;
        double width = hi > lo ? (hi - lo) / bins : 1;
        for (int i = 0; i < series.Count; i++)
        {
            var counts = new double[bins];
            foreach (float v in series[i].Values) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
            var positions = new double[bins];
            for (int k = 0; k < bins; k++) positions[k] = lo + (k + 0.5) * width;
            var bars = plot.Add.Bars(positions, counts);
            bars.LegendText = series[i].Label;
            foreach (var b in bars.Bars)
            {
                b.Size = width;
                b.FillColor = palette[i % palette.Length].WithAlpha(0.45);
                b.LineWidth = 0;
            }
        }
        plot.Title(title);
        plot.XLabel("activation");
        plot.YLabel("count");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, 900, 550);
    }

    /// <summary>The walkthrough's picture: activations after lin, relu and shifted relu at init, overlaid. Returns the path.</summary>
    public static string InitHistograms(string path, Tensor lin, Tensor relu, Tensor shifted)
    {
        Histograms(
        [
            ($"after lin (mean {lin.Mean().ToScalar():0.00}, std {lin.Std().ToScalar():0.00})", lin.ToArray()),
            ($"after relu (mean {relu.Mean().ToScalar():0.00}, std {relu.Std().ToScalar():0.00})", relu.ToArray()),
            ($"after relu - 0.5 (mean {shifted.Mean().ToScalar():0.00}, std {shifted.Std().ToScalar():0.00})", shifted.ToArray()),
        ], path, "Activations on x_valid at Kaiming init (fan_in, relu gain)");
        return path;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{path}: the folder {dir} does not exist.");
        Mlp.Serialization.AtomicFile.Write(full, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
