using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Models;
using Mlp.Training;

namespace Mlp.MLNet;

/// <summary>
/// A trained multilayer perceptron as an ML.NET <see cref="ITransformer"/>: it reads the features column and adds
/// <c>Score</c> (softmax probabilities, a vector of c Single) and <c>PredictedLabel</c> (the argmax as a key of c values,
/// carrying the training label's key values), the columns ML.NET's multiclass evaluator, <c>MapKeyToValue</c> and
/// prediction engines expect. PyTorch: <c>model.eval()</c> followed by <c>softmax(model(x), 1)</c> and <c>argmax(1)</c>.
/// </summary>
/// <remarks>
/// ML.NET lets only its own components write into its model files, so <c>mlContext.Model.Save</c> refuses this
/// transformer with a <see cref="NotSupportedException"/>; use <see cref="MlpModelFile.SaveMlpModel"/> and
/// <see cref="MlpModelFile.LoadMlpModel"/>, which round-trip a whole pipeline containing it.
/// </remarks>
public sealed class MlpTransformer : ITransformer
{
    internal MlpTransformer(Model network, Parameters parameters, string featureColumnName, int features, LabelKeyValues keyValues,
                            IReadOnlyList<EpochMetrics> history, long skippedRows = 0, Buffers? buffers = null)
    {
        Model = new MlpModelParameters(network, parameters, features, keyValues.Text, history, skippedRows, buffers ?? Buffers.Empty);
        FeatureColumnName = featureColumnName;
        KeyValues = keyValues;
    }

    /// <summary>The name of the output column of softmax probabilities.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The name of the output column of predicted keys.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    /// <summary>
    /// The trained model, as ML.NET's trainers expose theirs (<c>transformer.Model</c>): the weights by <c>state_dict</c>
    /// name, the network, the label values, the training history and the rows skipped.
    /// </summary>
    public MlpModelParameters Model { get; }

    /// <summary>The features column the transformer reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The number of features, m: the features column must be a vector of this size.</summary>
    public int Features => Model.Features;

    /// <summary>The number of classes, c: the size of <c>Score</c> and the key count of <c>PredictedLabel</c>.</summary>
    public int Classes => KeyValues.Count;

    /// <summary>
    /// Per-epoch metrics (<see cref="MlpModelParameters.History"/>): training loss and accuracy, validation loss and
    /// accuracy when trained with <c>Fit(trainData, validationData)</c>, seconds; empty for a loaded model.
    /// </summary>
    public IReadOnlyList<EpochMetrics> History => Model.History;

    internal LabelKeyValues KeyValues { get; }

    /// <summary>True: the transformer maps rows one at a time, so prediction engines work.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <exception cref="ArgumentException">The features column is missing or is not a vector of <see cref="Features"/> Single; the message names it.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => MlpScoring.OutputSchema(this, inputSchema);

    /// <summary>A lazy view of <paramref name="input"/> with <c>Score</c> and <c>PredictedLabel</c> added; nothing is computed until a cursor reads them.</summary>
    /// <exception cref="ArgumentException">The features column is missing or of the wrong type or size; the message names it.</exception>
    public IDataView Transform(IDataView input) => MlpScoring.Transform(this, input);

    /// <summary>A row-to-row mapper over <paramref name="inputSchema"/> (used by prediction engines).</summary>
    /// <exception cref="ArgumentException">The features column is missing or of the wrong type or size.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => MlpScoring.Mapper(this, inputSchema);

    /// <summary>Softmax probabilities for one row of <see cref="Features"/> values (a convenience outside ML.NET).</summary>
    /// <exception cref="ArgumentException">The row has the wrong length.</exception>
    public float[] PredictProbabilities(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var p = new float[Classes];
        MlpScoring.Score(this, features, p);
        return p;
    }

    /// <summary>Always throws: ML.NET's model files hold only ML.NET's own components.</summary>
    /// <exception cref="NotSupportedException">Always; the message says to use <see cref="MlpModelFile.SaveMlpModel"/>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "An Mlp stage (MlpTransformer) cannot be written by mlContext.Model.Save: ML.NET's model files hold only ML.NET's own components. " +
        "Save the whole pipeline with mlContext.SaveMlpModel(model, inputSchema, path) and read it back with mlContext.LoadMlpModel(path).");
}
