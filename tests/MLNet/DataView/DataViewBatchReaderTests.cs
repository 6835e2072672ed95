using Microsoft.ML;
using Mlp.DataView;

namespace Mlp.MLNet.Tests.DataView;

public sealed class DataViewBatchReaderTests
{
    private static readonly MLContext Ml = new(seed: 0);

    [Fact]
    public void Batches_follow_view_order_and_keep_the_last_partial_batch()
    {
        var reader = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(Rows.Counting(10, 3)), DataViewColumns.Default);
        Assert.Equal((3, 3), (reader.Features, reader.Classes));
        var batches = reader.ReadBatches(4, null, 1).ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.Labels.Count));
        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], batches.SelectMany(b => b.Labels));
        Assert.Equal([8f, 80, -8, 9, 90, -9], batches[2].X.ToArray());
        Assert.Equal([2, 3], batches[2].X.ShapeArray());
    }

    [Fact]
    public void Key_labels_become_zero_based_classes_and_the_key_count_is_the_class_count()
    {
        // LoadFromEnumerable stores a [KeyType] member v as key v + 1: these rows hold keys 4 and 1.
        var rows = new[] { new KeyRow { Features = [1, 2, 3], Label = 3 }, new KeyRow { Features = [4, 5, 6], Label = 0 } };
        var reader = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(rows), DataViewColumns.Default);
        Assert.Equal(4, reader.Classes);
        Assert.Equal([3, 0], reader.ReadBatches(8, null, 1).Single().Labels);
    }

    [Fact]
    public void Int_and_uint_labels_are_class_indices_and_the_class_count_is_the_largest_plus_one()
    {
        var ints = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(new[] { new IntRow { Features = [0, 0, 0], Label = 5 }, new IntRow { Features = [0, 0, 0], Label = 2 } }), DataViewColumns.Default);
        var uints = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(new[] { new UIntRow { Features = [0, 0, 0], Label = 1 } }), DataViewColumns.Default);
        Assert.Equal((6, 2), (ints.Classes, uints.Classes));
        Assert.Equal([5, 2], ints.ReadBatches(8, null, 1).Single().Labels);
    }

    [Fact]
    public void A_view_that_cannot_shuffle_is_shuffled_through_a_bounded_pool_and_every_row_comes_once()
    {
        var stream = new StreamOnlyView(Ml.Data.LoadFromEnumerable(Rows.Counting(1000, 10)));
        var reader = DataViewBatchReader.Create(stream, DataViewColumns.Default);   // one pass to count classes
        stream.RowsRead = 0;
        const int Pool = 64, Batch = 16;
        var seen = new List<float>();
        foreach (var b in reader.ReadBatches(Batch, new Random(3), Pool))
        {
            // Streaming: the cursor is never more than the pool plus one batch ahead of what has been handed out.
            Assert.InRange(stream.RowsRead - seen.Count, 0, Pool + Batch);
            var x = b.X.AsSpan();
            for (int i = 0; i < b.Labels.Count; i++) seen.Add(x[i * 3]);
        }
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000).Select(i => (float)i), seen);
        var again = reader.ReadBatches(Batch, new Random(3), Pool).SelectMany(b => Enumerable.Range(0, b.Labels.Count).Select(i => b.X[i, 0]));
        Assert.Equal(seen, again);
    }

    [Fact]
    public void A_missing_column_is_named_with_the_columns_the_data_has()
    {
        var e = Assert.Throws<ArgumentException>(() => DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(Rows.Counting(2, 2)), new DataViewColumns("Pixels", "Label")));
        Assert.Contains("features column 'Pixels' is missing", e.Message);
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void A_vector_of_unknown_size_is_refused_naming_the_column()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1, 2], Label = 0 } });
        var e = Assert.Throws<ArgumentException>(() => DataViewBatchReader.Create(view, DataViewColumns.Default));
        Assert.Contains("Features column 'Features' is a vector of unknown size", e.Message);
    }

    [Fact]
    public void A_vector_of_doubles_is_refused_naming_the_column_and_its_type()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatureRow { Features = [1, 2, 3] } });
        var e = Assert.Throws<ArgumentException>(() => DataViewBatchReader.Create(view, DataViewColumns.Default));
        Assert.Contains("Features column 'Features' has type Vector<Double, 3>", e.Message);
    }

    [Fact]
    public void A_text_label_is_refused_naming_the_column_and_saying_to_map_it_to_a_key()
    {
        var view = Ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = [1, 2, 3], Label = "a" } });
        var e = Assert.Throws<ArgumentException>(() => DataViewBatchReader.Create(view, DataViewColumns.Default));
        Assert.Contains("Label column 'Label' has type String", e.Message);
        Assert.Contains("MapValueToKey", e.Message);
    }

    [Fact]
    public void A_non_finite_feature_is_refused_naming_the_column_row_and_feature()
    {
        var rows = Rows.Counting(5, 2);
        rows[3].Features[1] = float.PositiveInfinity;
        var keyRows = rows.Select(r => new KeyRow { Features = r.Features, Label = 1 }).ToArray();
        var reader = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(keyRows), DataViewColumns.Default);   // key labels: no scan
        var e = Assert.Throws<InvalidDataException>(() => reader.ReadBatches(2, null, 1).ToList());
        Assert.Equal("Features column 'Features' row 3: feature 1 is Infinity; features must be finite.", e.Message);
        rows[3].Features[1] = float.NaN;   // float labels: the class-counting pass finds it at once
        var e2 = Assert.Throws<InvalidDataException>(() => DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(rows), DataViewColumns.Default));
        Assert.Equal("Features column 'Features' row 3: feature 1 is NaN; features must be finite.", e2.Message);
    }

    [Fact]
    public void A_missing_key_is_refused_naming_the_column_and_row()
    {
        // A [KeyType(4)] member of 4 or more is loaded as key 0, ML.NET's missing key.
        var rows = new[] { new KeyRow { Features = [1, 2, 3], Label = 2 }, new KeyRow { Features = [1, 2, 3], Label = 4 } };
        var reader = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(rows), DataViewColumns.Default);
        var e = Assert.Throws<InvalidDataException>(() => reader.ReadBatches(8, null, 1).ToList());
        Assert.Equal("Label column 'Label' row 1: key 0 (a missing value); every row needs a label.", e.Message);
    }

    [Fact]
    public void A_negative_label_is_out_of_range_and_named()
    {
        var rows = new[] { new IntRow { Features = [1, 2, 3], Label = 1 }, new IntRow { Features = [1, 2, 3], Label = -2 } };
        var e = Assert.Throws<InvalidDataException>(() => DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(rows), DataViewColumns.Default));
        Assert.Equal("Label column 'Label' row 1: label -2 is negative; class indices are whole numbers ≥ 0.", e.Message);
    }

    [Fact]
    public void A_fractional_float_label_is_refused_as_not_a_class_index()
    {
        var rows = Rows.Counting(3, 3);
        rows[2].Label = 1.5f;
        var e = Assert.Throws<InvalidDataException>(() => DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(rows), DataViewColumns.Default));
        Assert.Equal("Label column 'Label' row 2: 1.5 is not a class index (a whole number ≥ 0).", e.Message);
    }

    [Fact]
    public void ReadDataset_gives_the_same_rows_as_the_batches()
    {
        var reader = DataViewBatchReader.Create(Ml.Data.LoadFromEnumerable(Rows.Counting(2500, 7)), DataViewColumns.Default);
        var ds = reader.ReadDataset("counting");
        Assert.Equal((2500, 3, 7), (ds.Count, ds.Features, ds.Classes));
        Assert.Equal(reader.ReadBatches(1000, null, 1).SelectMany(b => b.X.ToArray()), ds.X.ToArray());
        Assert.Equal(reader.ReadBatches(1000, null, 1).SelectMany(b => b.Labels), ds.Labels);
    }
}
