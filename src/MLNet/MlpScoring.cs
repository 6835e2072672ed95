using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.MLNet;

/// <summary>
/// The IDataView side of <see cref="MlpTransformer"/>: the output schema, a lazy scored view with its cursors, and a
/// row-to-row mapper for prediction engines. All cursor ceremony for scoring lives in this file.
/// </summary>
internal static class MlpScoring
{
    /// <summary>softmax(model(x)) for one row, written into <paramref name="probabilities"/>; returns the argmax (first on ties).</summary>
    public static int Score(MlpTransformer t, ReadOnlySpan<float> features, Span<float> probabilities)
    {
        if (features.Length != t.Features)
            throw new ArgumentException($"Features column '{t.FeatureColumnName}': a row of {features.Length} values, but the model takes {t.Features}.");
        var logits = t.Model.Network.Predict(t.Model.Weights, t.Model.Buffers, Tensor.FromArray(features.ToArray(), 1, t.Features));
        Softmax.Rows(logits).AsSpan().CopyTo(probabilities);
        var l = logits.AsSpan();
        int best = 0;
        for (int k = 1; k < l.Length; k++) if (l[k] > l[best]) best = k;
        return best;
    }

    public static DataViewSchema OutputSchema(MlpTransformer t, DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        FeatureColumn(t, input);
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        b.AddColumn(MlpTransformer.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, t.Classes));
        b.AddColumn(MlpTransformer.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), t.Classes), t.KeyValues.ToAnnotations());
        return b.ToSchema();
    }

    public static IDataView Transform(MlpTransformer t, IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredView(t, input, OutputSchema(t, input.Schema));
    }

    public static IRowToRowMapper Mapper(MlpTransformer t, DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMapper(t, input, OutputSchema(t, input));
    }

    private static DataViewSchema.Column FeatureColumn(MlpTransformer t, DataViewSchema input)
    {
        var col = input.GetColumnOrNull(t.FeatureColumnName)
            ?? throw new ArgumentException($"The features column '{t.FeatureColumnName}' is missing; the data has columns {string.Join(", ", input.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.", nameof(input));
        if (col.Type is not VectorDataViewType v || v.ItemType != NumberDataViewType.Single || v.Size != t.Features)
            throw new ArgumentException($"Features column '{t.FeatureColumnName}' has type {col.Type}; the model needs a vector of {t.Features} Single.", nameof(input));
        return col;
    }

    // Input columns keep their indices; Score is at n, PredictedLabel at n + 1.
    private static IEnumerable<DataViewSchema.Column> Dependencies(MlpTransformer t, DataViewSchema input, IEnumerable<DataViewSchema.Column> wanted)
    {
        int n = input.Count;
        var list = new List<DataViewSchema.Column>();
        bool scores = false;
        foreach (var c in wanted)
        {
            if (c.Index < n) list.Add(input[c.Index]);
            else scores = true;
        }
        if (scores)
        {
            var f = FeatureColumn(t, input);
            if (!list.Any(c => c.Index == f.Index)) list.Add(f);
        }
        return list;
    }

    /// <summary>Getters for one output row over one input row; scores are computed once per input position.</summary>
    private sealed class Outputs
    {
        private readonly MlpTransformer _t;
        private readonly DataViewRow _input;
        private readonly int _n;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private readonly float[] _probabilities;
        private readonly float[] _row;
        private VBuffer<float> _buffer;
        private long _cached = -1;
        private uint _key;

        /// <summary>Which columns of the output schema (input columns, then Score and PredictedLabel) are active.</summary>
        public bool[] Active { get; }

        public Outputs(MlpTransformer t, DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> wanted)
        {
            _t = t;
            _input = input;
            _n = input.Schema.Count;
            Active = new bool[schema.Count];
            foreach (var c in wanted) Active[c.Index] = true;
            bool scoresActive = Active.Skip(_n).Any(a => a);
            _probabilities = new float[t.Classes];
            _row = new float[t.Features];
            if (scoresActive) _features = input.GetGetter<VBuffer<float>>(input.Schema[t.FeatureColumnName]);
        }

        public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _n) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            if (_features is null) throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was made.");
            Delegate g = column.Index == _n
                ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
                {
                    Compute();
                    var e = VBufferEditor.Create(ref v, _t.Classes);
                    _probabilities.CopyTo(e.Values);
                    v = e.Commit();
                })
                : (ValueGetter<uint>)((ref uint v) => { Compute(); v = _key; });
            return g as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        private void Compute()
        {
            if (_cached == _input.Position) return;
            _features!(ref _buffer);
            if (_buffer.Length != _t.Features)
                throw new InvalidDataException($"Features column '{_t.FeatureColumnName}' row {_input.Position}: a vector of {_buffer.Length} values, but the model takes {_t.Features}.");
            _buffer.CopyTo(_row);
            _key = (uint)Score(_t, _row, _probabilities) + 1;   // ML.NET keys are 1-based
            _cached = _input.Position;
        }
    }

    private sealed class ScoredView(MlpTransformer t, IDataView input, DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema => schema;
        public bool CanShuffle => input.CanShuffle;
        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var wanted = columnsNeeded.ToArray();
            return new Cursor(t, input.GetRowCursor(Dependencies(t, input.Schema, wanted), rand), schema, wanted);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            var wanted = columnsNeeded.ToArray();
            return input.GetRowCursorSet(Dependencies(t, input.Schema, wanted), n, rand)
                .Select(c => (DataViewRowCursor)new Cursor(t, c, schema, wanted)).ToArray();
        }
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewSchema _schema;
        private readonly Outputs _outputs;

        public Cursor(MlpTransformer t, DataViewRowCursor input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> wanted)
        {
            _input = input;
            _schema = schema;
            _outputs = new Outputs(t, input, schema, wanted);
        }

        public override DataViewSchema Schema => _schema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override bool MoveNext() => _input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _outputs.Active[column.Index];
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _outputs.Getter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _input.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class Row : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly DataViewSchema _schema;
        private readonly Outputs _outputs;

        public Row(MlpTransformer t, DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> wanted)
        {
            _input = input;
            _schema = schema;
            _outputs = new Outputs(t, input, schema, wanted);
        }

        public override DataViewSchema Schema => _schema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _outputs.Active[column.Index];
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _outputs.Getter<TValue>(column);
    }

    private sealed class RowMapper(MlpTransformer t, DataViewSchema input, DataViewSchema output) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => input;
        public DataViewSchema OutputSchema => output;
        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            Dependencies(t, input, dependingColumns);
        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new Row(t, input, output, activeColumns);
    }
}
