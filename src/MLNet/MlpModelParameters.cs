using Mlp.Models;
using Mlp.Training;

namespace Mlp.MLNet;

/// <summary>
/// What a trained <see cref="MlpTransformer"/> holds, in the manner of ML.NET's <c>LinearModelParameters</c>
/// (<c>transformer.Model</c>): the weights by PyTorch <c>state_dict</c> name, the network they belong to, the label value
/// behind each class, and how training went.
/// </summary>
public sealed class MlpModelParameters
{
    internal MlpModelParameters(Model network, Parameters weights, int features, IReadOnlyList<string> labelValues,
                                IReadOnlyList<EpochMetrics> history, long skippedRows, Buffers buffers)
    {
        network.CheckBuffers(buffers);
        Network = network;
        Weights = weights;
        Buffers = buffers;
        Features = features;
        LabelValues = labelValues;
        History = history;
        SkippedRows = skippedRows;
    }

    /// <summary>The network's layers, e.g. <c>Linear(784, 100) → ReLU() → Linear(100, 10)</c>.</summary>
    public Model Network { get; }

    /// <summary>The network's architecture as text, e.g. <c>Linear(784, 100) → ReLU() → Linear(100, 10)</c>.</summary>
    public string Architecture => Network.Architecture;

    /// <summary>
    /// The trained weights by PyTorch <c>state_dict</c> name (<c>0.weight</c> (in, out), <c>0.bias</c>, <c>2.weight</c>, …):
    /// <c>Weights["0.weight"]</c>, or <c>Weights.TryGetValue(name, out var w)</c>.
    /// </summary>
    public Parameters Weights { get; }

    /// <summary>
    /// The trained buffers by PyTorch <c>state_dict</c> name (a BatchNorm1d's <c>1.running_mean</c>, <c>1.running_var</c>,
    /// <c>1.num_batches_tracked</c>), used when scoring; empty for a network without BatchNorm1d.
    /// </summary>
    public Buffers Buffers { get; }

    /// <summary>The number of features, m.</summary>
    public int Features { get; }

    /// <summary>The number of classes, c.</summary>
    public int Classes => LabelValues.Count;

    /// <summary>The label value behind each class, as invariant text, in class (key) order: class k is <c>LabelValues[k]</c>.</summary>
    public IReadOnlyList<string> LabelValues { get; }

    /// <summary>One entry per completed epoch: training loss and accuracy, validation loss and accuracy (NaN without validation data), seconds. Empty for a loaded model.</summary>
    public IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>Training rows skipped because a feature or the label was missing (NaN, or key 0); 0 for a loaded model.</summary>
    public long SkippedRows { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Architecture}; {Weights}; classes [{string.Join(", ", LabelValues)}]";
}
