using System.Runtime.InteropServices;
using Mlp.Data;
using Mlp.DataView;
using Mlp.Training;

namespace Mlp.Tests.Core;

/// <summary>
/// A published tensor, dataset or batch cannot be changed through the public API: every way a caller could cast or
/// unwrap a read-only view back into the storage is tried here, and the value is checked afterwards.
/// </summary>
public class ImmutabilityTests
{
    [Fact]
    public void A_tensor_shape_cannot_be_cast_back_to_an_array_and_changed()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        if (t.Shape is int[] dims) dims[0] = 3;                     // the old Shape handed out the tensor's own int[]
        if (t.Shape is IList<int> list && !list.IsReadOnly) list[0] = 3;
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(2, t.Size(0));
        Assert.Equal(6f, t[1, 2]);
        Assert.Throws<NotSupportedException>(() => ((IList<int>)t.Shape)[0] = 3);
    }

    [Fact]
    public void A_tensor_memory_cannot_be_unwrapped_into_the_tensor_storage()
    {
        var t = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        if (MemoryMarshal.TryGetArray(t.AsMemory(), out ArraySegment<float> segment))
            segment.Array![segment.Offset] = 99;                    // the old AsMemory wrapped the tensor's own float[]
        MemoryMarshal.AsMemory(t.AsMemory()).Span[1] = 98;
        Assert.Equal([1f, 2f, 3f, 4f], t.ToArray());
        Assert.Equal([1f, 2f, 3f, 4f], t.AsMemory().ToArray());
    }

    [Fact]
    public void Dataset_labels_cannot_be_cast_back_to_an_array_and_changed()
    {
        var d = new Dataset(Tensor.Zeros(3, 2), [0, 1, 2], "three rows");
        if (d.Labels is int[] labels) labels[0] = 7;
        if (d.Labels is IList<int> list && !list.IsReadOnly) list[1] = 7;
        Assert.Equal([0, 1, 2], d.Labels);
        Assert.Equal(3, d.Classes);
        Assert.Throws<NotSupportedException>(() => ((IList<int>)d.Labels)[0] = 7);
    }

    [Fact]
    public void A_data_view_batch_copies_its_labels_and_hands_out_a_read_only_view()
    {
        int[] source = [4, 5];
        var b = new DataViewBatch(Tensor.Zeros(2, 3), source);
        source[0] = 9;                                              // the caller's array is not the batch's
        if (b.Labels is int[] labels) labels[1] = 9;                // the old record exposed int[] Labels
        if (b.Labels is IList<int> list && !list.IsReadOnly) list[1] = 9;
        Assert.Equal([4, 5], b.Labels);
        Assert.Equal(2, b.Count);
    }

    [Fact]
    public void A_data_view_batch_refuses_labels_that_do_not_match_the_rows()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataViewBatch(Tensor.Zeros(2, 3), [1]));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("1 labels", e.Message);
    }

    [Fact]
    public void A_training_batch_copies_its_labels_and_hands_out_a_read_only_view()
    {
        int[] source = [4, 5];
        var b = new Batch(Tensor.Zeros(2, 3), source);
        source[0] = 9;
        if (b.Labels is int[] labels) labels[1] = 9;
        if (b.Labels is IList<int> list && !list.IsReadOnly) list[1] = 9;
        Assert.Equal([4, 5], b.Labels);
    }
}
