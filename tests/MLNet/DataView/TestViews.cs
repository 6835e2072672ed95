using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.MLNet.Tests.DataView;

/// <summary>Small in-memory rows for adapter tests.</summary>
public sealed class FloatRow
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    public float Label { get; set; }
}

public sealed class VariableRow
{
    public float[] Features { get; set; } = [];
    public float Label { get; set; }
}

public sealed class IntRow
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    public int Label { get; set; }
}

public sealed class UIntRow
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}

public sealed class KeyRow
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    [KeyType(4)] public uint Label { get; set; }
}

public sealed class DoubleFeatureRow
{
    [VectorType(3)] public double[] Features { get; set; } = [];
    public float Label { get; set; }
}

public sealed class TextLabelRow
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    public string Label { get; set; } = "";
}

/// <summary>
/// Wraps a view so it cannot shuffle and does not know its length (like a stream), and records how far its cursors
/// have read, so a test can check that a reader holds only a bounded window of rows.
/// </summary>
public sealed class StreamOnlyView(IDataView inner) : IDataView
{
    public long RowsRead;
    public DataViewSchema Schema => inner.Schema;
    public bool CanShuffle => false;
    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Counting(this, inner.GetRowCursor(columnsNeeded, null));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Counting(StreamOnlyView owner, DataViewRowCursor c) : DataViewRowCursor
    {
        public override DataViewSchema Schema => c.Schema;
        public override long Position => c.Position;
        public override long Batch => c.Batch;
        public override bool IsColumnActive(DataViewSchema.Column column) => c.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => c.GetGetter<TValue>(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => c.GetIdGetter();
        public override bool MoveNext()
        {
            bool more = c.MoveNext();
            if (more) owner.RowsRead++;
            return more;
        }
        protected override void Dispose(bool disposing)
        {
            if (disposing) c.Dispose();
            base.Dispose(disposing);
        }
    }
}

public static class Rows
{
    /// <summary>n rows: features (i, 10·i, −i), label i mod classes.</summary>
    public static FloatRow[] Counting(int n, int classes) =>
        Enumerable.Range(0, n).Select(i => new FloatRow { Features = [i, 10 * i, -i], Label = i % classes }).ToArray();
}
