namespace Mlp.DataView;

/// <summary>
/// The names of the two columns Mlp reads from or writes to an <see cref="Microsoft.ML.IDataView"/>:
/// a known-size float vector of features and a class label. ML.NET's defaults are <c>Features</c> and <c>Label</c>.
/// </summary>
/// <param name="Features">The feature column: a known-size vector of <see cref="float"/>.</param>
/// <param name="Label">The label column: a key, <see cref="uint"/>, <see cref="int"/> or <see cref="float"/> class index.</param>
public sealed record DataViewColumns(string Features, string Label)
{
    /// <summary>ML.NET's default names, <c>Features</c> and <c>Label</c>.</summary>
    public static DataViewColumns Default { get; } = new("Features", "Label");
}
