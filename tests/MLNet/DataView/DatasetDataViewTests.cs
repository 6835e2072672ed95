using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Data;
using Mlp.DataView;

namespace Mlp.MLNet.Tests.DataView;

public sealed class DatasetDataViewTests
{
    private static Dataset Small() => new(Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 4, 2), [2, 0, 1, 2], "small");

    [Fact]
    public void A_dataset_view_has_a_known_size_feature_vector_and_a_key_label_with_the_class_names()
    {
        var view = new DatasetDataView(Small(), new DataViewColumns("Pixels", "Class"), ["cat", "dog", "eel"]);
        var f = view.Schema["Pixels"];
        var l = view.Schema["Class"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), f.Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), l.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        l.Annotations.GetValue("KeyValues", ref names);
        Assert.Equal(["cat", "dog", "eel"], names.DenseValues().Select(m => m.ToString()));
        Assert.Equal(4, view.GetRowCount());
    }

    [Fact]
    public void A_cursor_reads_each_rows_features_and_its_label_as_the_one_based_key()
    {
        var view = DatasetDataView.FromDataset(Small());
        using var c = view.GetRowCursor(view.Schema);
        var gx = c.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var gy = c.GetGetter<uint>(view.Schema["Label"]);
        var xs = new List<float[]>();
        var ys = new List<uint>();
        VBuffer<float> x = default;
        uint y = 0;
        while (c.MoveNext())
        {
            gx(ref x); gy(ref y);
            xs.Add(x.DenseValues().ToArray());
            ys.Add(y);
        }
        Assert.Equal([[1f, 2], [3f, 4], [5f, 6], [7f, 8]], xs);
        Assert.Equal([3u, 1, 2, 3], ys);
    }

    [Fact]
    public void MapKeyToValue_turns_the_label_key_back_into_the_class_name()
    {
        var ml = new MLContext(seed: 0);
        var view = new DatasetDataView(Small(), DataViewColumns.Default, ["cat", "dog", "eel"]);
        var mapped = ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(view).Transform(view);
        Assert.Equal(["eel", "cat", "dog", "eel"], mapped.GetColumn<ReadOnlyMemory<char>>("Name").Select(m => m.ToString()));
    }

    [Fact]
    public void A_shuffled_cursor_visits_every_row_once_in_an_order_drawn_from_the_callers_random()
    {
        var data = new Dataset(Tensor.Create([50, 1], s => { for (int i = 0; i < 50; i++) s[i] = i; }), new int[50], "fifty");
        var view = DatasetDataView.FromDataset(data);
        float[] Order(Random? r)
        {
            using var c = view.GetRowCursor(view.Schema, r);
            var g = c.GetGetter<VBuffer<float>>(view.Schema["Features"]);
            var id = c.GetIdGetter();
            var list = new List<float>();
            VBuffer<float> v = default;
            DataViewRowId rid = default;
            while (c.MoveNext())
            {
                g(ref v); id(ref rid);
                Assert.Equal((ulong)v.GetValues()[0], rid.Low);   // the id is the row's own index
                list.Add(v.GetValues()[0]);
            }
            return list.ToArray();
        }
        var a = Order(new Random(7));
        Assert.Equal(a, Order(new Random(7)));
        Assert.NotEqual(a, Order(new Random(8)));
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (float)i), a);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), a.Order());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), Order(null));
    }

    [Fact]
    public void Fewer_class_names_than_classes_is_refused_naming_the_source()
    {
        var e = Assert.Throws<ArgumentException>(() => new DatasetDataView(Small(), DataViewColumns.Default, ["a", "b"]));
        Assert.Contains("small", e.Message);
        Assert.Contains("2 class names for 3 classes", e.Message);
    }
}
