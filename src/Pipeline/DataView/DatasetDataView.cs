using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Data;

namespace Mlp.DataView;

/// <summary>
/// A <see cref="Dataset"/> seen as an ML.NET <see cref="IDataView"/>, without copying: a features column
/// (a vector of <see cref="float"/> of known size m) and a label column of key type with c values, whose
/// <c>KeyValues</c> annotation holds the class names. PyTorch analogue: a <c>TensorDataset</c> handed to another framework.
/// </summary>
/// <remarks>
/// ML.NET keys are 1-based (0 means "missing"): class k is key k + 1, and key values are listed in class order.
/// The view is immutable and repeatable; a cursor asked for with a <see cref="Random"/> visits the rows in a
/// permutation drawn from that <see cref="Random"/> (IDataView's rule: shuffling uses the caller's random source).
/// All cursor ceremony lives in this file.
/// </remarks>
public sealed class DatasetDataView : IDataView
{
    private readonly Dataset _data;
    private readonly float[] _x;

    /// <summary>Wraps <paramref name="dataset"/> as a view with columns named by <paramref name="columns"/>.</summary>
    /// <param name="dataset">n rows of m features with labels in [0, c).</param>
    /// <param name="columns">Column names, e.g. <see cref="DataViewColumns.Default"/>.</param>
    /// <param name="classNames">The names of the c classes, in class order (c ≥ <see cref="Dataset.Classes"/>), written as the label's key values.</param>
    /// <exception cref="ArgumentException">The column names are equal or empty, or there are fewer class names than classes.</exception>
    public DatasetDataView(Dataset dataset, DataViewColumns columns, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(classNames);
        if (string.IsNullOrEmpty(columns.Features) || string.IsNullOrEmpty(columns.Label) || columns.Features == columns.Label)
            throw new ArgumentException($"Column names must be distinct and non-empty; got features '{columns.Features}', label '{columns.Label}'.", nameof(columns));
        if (classNames.Count < dataset.Classes || classNames.Count == 0)
            throw new ArgumentException($"{dataset.Source}: {classNames.Count} class names for {Math.Max(1, dataset.Classes)} classes.", nameof(classNames));
        _data = dataset;
        _x = dataset.X.Data;   // read-only here: a tensor's buffer is never written after publication
        Columns = columns;
        ClassNames = classNames.ToArray();

        var keyValues = new VBuffer<ReadOnlyMemory<char>>(ClassNames.Count, ClassNames.Select(s => s.AsMemory()).ToArray());
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, ClassNames.Count), (ref VBuffer<ReadOnlyMemory<char>> v) => keyValues.CopyTo(ref v));
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(columns.Features, new VectorDataViewType(NumberDataViewType.Single, dataset.Features));
        builder.AddColumn(columns.Label, new KeyDataViewType(typeof(uint), ClassNames.Count), annotations.ToAnnotations());
        Schema = builder.ToSchema();
    }

    /// <summary>Wraps <paramref name="dataset"/> with columns <c>Features</c> and <c>Label</c> and class names "0" … "c−1".</summary>
    /// <param name="dataset">n rows of m features with labels in [0, c).</param>
    public static DatasetDataView FromDataset(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new(dataset, DataViewColumns.Default, Enumerable.Range(0, Math.Max(1, dataset.Classes)).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>The column names.</summary>
    public DataViewColumns Columns { get; }

    /// <summary>The class names, in class order (key k + 1 is class k).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>Always true: rows can be visited in any order.</summary>
    public bool CanShuffle => true;

    /// <summary>The number of rows, n.</summary>
    public long? GetRowCount() => _data.Count;

    /// <summary>A cursor over the rows, in order, or in a permutation drawn from <paramref name="rand"/> when it is given.</summary>
    /// <param name="columnsNeeded">The columns the caller will read.</param>
    /// <param name="rand">The caller's random source for shuffling, or null for row order.</param>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded) active[c.Index] = true;
        int[]? order = null;
        if (rand != null)
        {
            order = new int[_data.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            for (int i = order.Length - 1; i > 0; i--)   // Fisher–Yates
            {
                int j = rand.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return new Cursor(this, active, order);
    }

    /// <summary>One cursor (this view is not split for parallel reading).</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DatasetDataView parent, bool[] active, int[]? order) : DataViewRowCursor
    {
        private long _position = -1;
        private int _row = -1;
        private bool _done;

        public override DataViewSchema Schema => parent.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override bool MoveNext()
        {
            if (_done) return false;
            if (_position + 1 >= parent._data.Count)
            {
                _done = true;
                _row = -1;
                return false;
            }
            _position++;
            _row = order == null ? (int)_position : order[_position];
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
        {
            EnsureRow();
            id = new DataViewRowId((ulong)_row, 0);
        };

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was made.");
            Delegate getter = column.Index == 0 ? (ValueGetter<VBuffer<float>>)GetFeatures : (ValueGetter<uint>)GetLabel;
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        private void GetFeatures(ref VBuffer<float> value)
        {
            EnsureRow();
            int m = parent._data.Features;
            var editor = VBufferEditor.Create(ref value, m);
            parent._x.AsSpan(_row * m, m).CopyTo(editor.Values);
            value = editor.Commit();
        }

        private void GetLabel(ref uint value)
        {
            EnsureRow();
            value = (uint)parent._data.Labels[_row] + 1;   // ML.NET keys are 1-based
        }

        private void EnsureRow()
        {
            if (_row < 0) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read only while it returns true.");
        }
    }
}
