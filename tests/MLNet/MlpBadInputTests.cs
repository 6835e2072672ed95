using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.MLNet.Tests.DataView;

namespace Mlp.MLNet.Tests;

/// <summary>Bad input at Fit (and at Transform) is refused with a message naming the column and the problem.</summary>
public sealed class MlpBadInputTests
{
    private static readonly MLContext Ml = new(seed: 0);

    private static MlpMulticlassTrainer Trainer(string features = "Features", string label = "Label") =>
        Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { FeatureColumnName = features, LabelColumnName = label, HiddenSizes = [4], Epochs = 2, BatchSize = 4 });

    // Missing values are errors rather than skipped rows (SkipRowsWithMissingValues = false).
    private static MlpMulticlassTrainer StrictTrainer() =>
        Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [4], Epochs = 2, BatchSize = 4, SkipRowsWithMissingValues = false });

    private static IDataView Keyed(IDataView view) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);

    [Fact]
    public void A_missing_features_column_is_named_with_the_columns_the_data_has()
    {
        var e = Assert.Throws<ArgumentException>(() => Trainer(features: "Pixels").Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2)))));
        Assert.Contains("features column 'Pixels' is missing", e.Message);
        Assert.Contains("'Features', 'Label'", e.Message);
    }

    [Fact]
    public void A_missing_label_column_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Trainer(label: "Class").Fit(Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2))));
        Assert.Contains("label column 'Class' is missing", e.Message);
    }

    [Fact]
    public void A_features_vector_of_unknown_size_is_refused()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1, 2, 3], Label = 0 }, new VariableRow { Features = [1, 2, 3], Label = 1 } });
        var e = Assert.Throws<ArgumentException>(() => Trainer().Fit(view));
        Assert.Equal("Features column 'Features' is a vector of unknown size; it must have a known size (every row the same length). (Parameter 'features')", e.Message);
    }

    [Fact]
    public void A_features_column_that_is_not_a_float_vector_is_refused_with_its_type()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatureRow { Features = [1, 2, 3], Label = 0 } });
        var e = Assert.Throws<ArgumentException>(() => Trainer().Fit(view));
        Assert.StartsWith("Features column 'Features' has type Vector<Double, 3>; it must be a known-size vector of Single", e.Message);
    }

    [Fact]
    public void A_row_whose_vector_has_the_wrong_size_is_refused_naming_the_column_row_and_sizes()
    {
        // A view that declares 3 features but hands out 2 in row 5, as a buggy custom view might.
        var view = new WrongLengthView(Keyed(Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2))), badRow: 5);
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(view));
        Assert.Equal("Features column 'Features' row 5: a vector of 2 values, expected 3.", e.Message);
    }

    [Fact]
    public void Transforming_data_whose_features_have_another_size_than_the_training_data_is_refused()
    {
        var model = Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2))));
        var other = Ml.Data.LoadFromEnumerable(new[] { new WideRow { Features = [1, 2, 3, 4] } });
        var e = Assert.Throws<ArgumentException>(() => model.Transform(other));
        Assert.StartsWith("Features column 'Features' has type Vector<Single, 4>; the model needs a vector of 3 Single.", e.Message);
    }

    [Fact]
    public void A_non_finite_feature_is_refused_naming_the_column_and_row()
    {
        var rows = Rows.Counting(8, 2);
        rows[6].Features[0] = float.NaN;
        var e = Assert.Throws<InvalidDataException>(() => StrictTrainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))));
        Assert.Equal("Features column 'Features' row 6: feature 0 is NaN; features must be finite.", e.Message);
        Assert.Equal(1, Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))).Model.SkippedRows);   // by default: skipped
    }

    [Fact]
    public void A_negative_label_is_out_of_range_and_named()
    {
        var rows = Enumerable.Range(0, 6).Select(i => new IntRow { Features = [i, i, i], Label = i == 4 ? -1 : i % 2 }).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Trainer().Fit(Ml.Data.LoadFromEnumerable(rows)));
        Assert.Equal("Label column 'Label' row 4: label -1 is negative; class indices are whole numbers ≥ 0.", e.Message);
    }

    [Fact]
    public void A_missing_key_label_is_refused_naming_the_column_and_row()
    {
        var rows = Enumerable.Range(0, 6).Select(i => new KeyRow { Features = [i, i, i], Label = i == 2 ? 9u : 1u }).ToArray();   // 9 ≥ 4 loads as key 0
        var e = Assert.Throws<InvalidDataException>(() => StrictTrainer().Fit(Ml.Data.LoadFromEnumerable(rows)));
        Assert.Equal("Label column 'Label' row 2: key 0 (a missing value); every row needs a label.", e.Message);
        Assert.Equal(1, Trainer().Fit(Ml.Data.LoadFromEnumerable(rows)).Model.SkippedRows);   // by default: skipped
    }

    [Fact]
    public void A_text_label_is_refused_and_MapValueToKey_is_suggested()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = [1, 2, 3], Label = "shirt" } });
        var e = Assert.Throws<ArgumentException>(() => Trainer().Fit(view));
        Assert.Contains("Label column 'Label' has type String; it must be a key (e.g. from MapValueToKey)", e.Message);
    }

    [Fact]
    public void Options_out_of_range_are_refused_when_the_trainer_is_made()
    {
        var e = Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { HiddenSizes = [10, 0] }));
        Assert.Contains("HiddenSizes must be positive; got [10, 0]", e.Message);
        Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { LearningRate = float.NaN }));
        Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.Mlp(new MlpTrainerOptions { BatchSize = 0 }));
    }

    // ML.NET makes schema shapes internally (SchemaShape.Create is internal); call it as ML.NET's own chains do.
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    [Fact]
    public void The_estimators_output_schema_adds_a_float_vector_Score_and_a_key_PredictedLabel()
    {
        var view = Ml.Data.LoadFromEnumerable(Rows.Counting(8, 2));
        var shape = Ml.Transforms.Conversion.MapValueToKey("Label").Append(Trainer()).GetOutputSchema(ShapeOf(view.Schema));
        var score = shape.Single(c => c.Name == "Score");
        var predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.Equal((SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single), (score.Kind, score.ItemType));
        Assert.True(predicted.IsKey);
        var e = Assert.Throws<ArgumentException>(() => Trainer(features: "Nope").GetOutputSchema(ShapeOf(view.Schema)));
        Assert.Contains("'Nope' is missing", e.Message);
    }
}

public sealed class WideRow
{
    [VectorType(4)] public float[] Features { get; set; } = [];
}

/// <summary>Declares the inner view's schema, but row <c>badRow</c>'s features vector is two values long.</summary>
internal sealed class WrongLengthView(IDataView inner, int badRow) : IDataView
{
    public DataViewSchema Schema => inner.Schema;
    public bool CanShuffle => false;
    public long? GetRowCount() => inner.GetRowCount();
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(inner.GetRowCursor(columnsNeeded), badRow);
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded)];

    private sealed class Cursor(DataViewRowCursor c, int badRow) : DataViewRowCursor
    {
        public override DataViewSchema Schema => c.Schema;
        public override long Position => c.Position;
        public override long Batch => c.Batch;
        public override bool MoveNext() => c.MoveNext();
        public override bool IsColumnActive(DataViewSchema.Column column) => c.IsColumnActive(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => c.GetIdGetter();
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var g = c.GetGetter<TValue>(column);
            if (column.Name != "Features") return g;
            var vg = (ValueGetter<VBuffer<float>>)(Delegate)g;
            ValueGetter<VBuffer<float>> bad = (ref VBuffer<float> v) =>
            {
                vg(ref v);
                if (c.Position == badRow) v = new VBuffer<float>(2, [1f, 2f]);
            };
            return (ValueGetter<TValue>)(Delegate)bad;
        }
        protected override void Dispose(bool disposing)
        {
            if (disposing) c.Dispose();
            base.Dispose(disposing);
        }
    }
}
