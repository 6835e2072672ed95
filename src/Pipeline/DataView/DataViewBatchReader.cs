using Microsoft.ML;
using Microsoft.ML.Data;
using Mlp.Data;

namespace Mlp.DataView;

/// <summary>
/// Reads any <see cref="IDataView"/> with a known-size float vector column and a class-label column into
/// mini-batches, streamed by a cursor: at most one batch (plus the shuffle pool) is held, so a view larger than
/// memory can be trained on without being materialized. PyTorch analogue: a <c>DataLoader</c> over an <c>IterableDataset</c>.
/// </summary>
/// <remarks>
/// Labels may be an ML.NET key (class = key − 1; key 0, "missing", is an error), or a <see cref="uint"/>,
/// <see cref="int"/> or <see cref="float"/> holding the class index itself. Every row is checked as it is read:
/// non-finite features and labels outside [0, c) throw <see cref="InvalidDataException"/> naming the column and row,
/// except that a reader made to skip rows with missing values passes over rows with a NaN feature or a missing label
/// (key 0, NaN) and counts them (<see cref="SkippedRows"/>).
/// Shuffling uses the caller's <see cref="Random"/>: a view that can shuffle (<see cref="IDataView.CanShuffle"/>)
/// is asked for a shuffled cursor; any other view is shuffled through a pool of rows (as ML.NET's
/// <c>ShuffleRows</c> does), so order is random within a window of the pool's size.
/// All cursor ceremony lives in this file.
/// </remarks>
public sealed class DataViewBatchReader
{
    private readonly IDataView _view;
    private readonly DataViewSchema.Column _features;
    private readonly DataViewSchema.Column _label;
    private readonly bool _skipMissing;

    private DataViewBatchReader(IDataView view, DataViewSchema.Column features, DataViewSchema.Column label, int featureCount, int classes, IReadOnlyList<string>? classNames, bool skipMissing)
    {
        _view = view;
        _skipMissing = skipMissing;
        _features = features;
        _label = label;
        Features = featureCount;
        Classes = classes;
        ClassNames = classNames;
    }

    /// <summary>The number of features per row, m.</summary>
    public int Features { get; }

    /// <summary>The number of classes, c: the key count of a key label, else the largest label plus one.</summary>
    public int Classes { get; }

    /// <summary>The key values of a key label (class names in class order), or null when the label has none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The number of rows, when the view knows it without a pass.</summary>
    public long? RowCount => _view.GetRowCount();

    /// <summary>The feature column's name.</summary>
    public string FeatureColumn => _features.Name;

    /// <summary>The label column's name.</summary>
    public string LabelColumn => _label.Name;

    /// <summary>
    /// Rows skipped for a missing value (a NaN feature, a missing label) in the latest pass that read the whole view
    /// (the class scan of <see cref="Create"/>, <see cref="TryReadDataset"/>, or an epoch of <see cref="ReadBatches"/>);
    /// always 0 for a reader that does not skip.
    /// </summary>
    public long SkippedRows { get; private set; }

    /// <summary>
    /// Checks the schema of <paramref name="view"/> and makes a reader. For a key label, c is its key count;
    /// for a numeric label, one streamed pass finds c = max label + 1 (and checks every row).
    /// </summary>
    /// <param name="view">The data.</param>
    /// <param name="columns">The feature and label column names.</param>
    /// <param name="skipRowsWithMissingValues">True: rows with a NaN feature or a missing label (key 0, NaN) are skipped
    /// and counted in <see cref="SkippedRows"/>; false (the default): they throw.</param>
    /// <exception cref="ArgumentException">A column is missing; the features are not a known-size vector of Single;
    /// the label is not a key, UInt32, Int32 or Single. The message names the column.</exception>
    /// <exception cref="InvalidDataException">(numeric labels) a row has non-finite features or a label that is not a class index.</exception>
    public static DataViewBatchReader Create(IDataView view, DataViewColumns columns, bool skipRowsWithMissingValues = false)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(columns);
        var features = FindColumn(view.Schema, columns.Features, "features");
        var label = FindColumn(view.Schema, columns.Label, "label");
        int m = FeatureCount(features);
        CheckLabelType(label);
        if (label.Type is KeyDataViewType key)
        {
            if (key.Count == 0 || key.Count > int.MaxValue)
                throw new ArgumentException($"Label column '{label.Name}' is a key type with {key.Count} values; it needs a known count of classes.", nameof(columns));
            return new DataViewBatchReader(view, features, label, m, (int)key.Count, KeyValues(label, (int)key.Count), skipRowsWithMissingValues);
        }
        var scan = new DataViewBatchReader(view, features, label, m, int.MaxValue, null, skipRowsWithMissingValues);
        int maxLabel = -1;
        using (var rows = new RowSource(scan, null))
        {
            var x = new float[m];
            while (rows.Next(x, out int y)) maxLabel = Math.Max(maxLabel, y);
        }
        if (maxLabel < 0)
            throw new ArgumentException($"Label column '{label.Name}' has no rows: there are no classes to learn.", nameof(view));
        return new DataViewBatchReader(view, features, label, m, maxLabel + 1, null, skipRowsWithMissingValues) { SkippedRows = scan.SkippedRows };
    }

    /// <summary>
    /// Streams the rows as batches of <paramref name="batchSize"/> (the last one may be smaller), in view order or shuffled.
    /// Each enumeration opens a fresh cursor, so the sequence can be read once per epoch.
    /// </summary>
    /// <param name="batchSize">Rows per batch, b ≥ 1.</param>
    /// <param name="shuffle">The caller's random source, or null for view order.</param>
    /// <param name="shufflePoolRows">For a view that cannot shuffle: rows held in the shuffle pool (≥ 1; 1 means no shuffling).</param>
    /// <exception cref="ArgumentOutOfRangeException">batchSize or shufflePoolRows is below 1.</exception>
    /// <exception cref="InvalidDataException">While reading: a row has non-finite features, a vector of another size, or a label outside [0, c).</exception>
    public IEnumerable<DataViewBatch> ReadBatches(int batchSize, Random? shuffle, int shufflePoolRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shufflePoolRows, 1);
        return Batches(batchSize, shuffle, shufflePoolRows);
    }

    /// <summary>Reads every row, in view order, into an in-memory <see cref="Dataset"/> (one pass; use only when it fits in memory).</summary>
    /// <param name="source">A description for messages, e.g. "training view".</param>
    /// <exception cref="InvalidDataException">A row has non-finite features or a label outside [0, c).</exception>
    /// <exception cref="InvalidOperationException">The rows do not fit in one array.</exception>
    public Dataset ReadDataset(string source) =>
        TryReadDataset(source, Array.MaxLength / Math.Max(1, Features))
        ?? throw new InvalidOperationException($"{source}: more rows than fit in one array of {Features} features each; train by streaming instead.");

    /// <summary>
    /// Reads the rows into an in-memory <see cref="Dataset"/> if there are at most <paramref name="maxRows"/>; otherwise
    /// stops reading after <paramref name="maxRows"/> + 1 rows and returns null (for views that do not know their length).
    /// </summary>
    /// <param name="source">A description for messages.</param>
    /// <param name="maxRows">The most rows to hold, ≥ 0.</param>
    /// <exception cref="InvalidDataException">A row read has non-finite features or a label outside [0, c).</exception>
    public Dataset? TryReadDataset(string source, long maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        maxRows = Math.Min(maxRows, Array.MaxLength / Math.Max(1, Features));
        var chunks = new List<float[]>();
        var labels = new List<int>();
        const int Chunk = 1024;
        float[] buf = new float[Chunk * Features];
        int inBuf = 0;
        using (var src = new RowSource(this, null))
        {
            while (src.Next(buf.AsSpan(inBuf * Features, Features), out int y))
            {
                if (labels.Count >= maxRows) return null;
                labels.Add(y);
                if (++inBuf == Chunk)
                {
                    chunks.Add(buf);
                    buf = new float[Chunk * Features];
                    inBuf = 0;
                }
            }
        }
        var x = new float[(long)labels.Count * Features];
        for (int i = 0; i < chunks.Count; i++) chunks[i].CopyTo(x, (long)i * Chunk * Features);
        Array.Copy(buf, 0, x, (long)chunks.Count * Chunk * Features, inBuf * Features);
        return new Dataset(new Tensor(x, [labels.Count, Features]), labels.ToArray(), source);
    }

    private IEnumerable<DataViewBatch> Batches(int batchSize, Random? shuffle, int poolRows)
    {
        int m = Features;
        bool usePool = shuffle != null && !_view.CanShuffle && poolRows > 1;
        using var src = new RowSource(this, _view.CanShuffle ? shuffle : null);
        var x = Storage.Zeroed(batchSize * m);
        var y = new int[batchSize];
        int b = 0;
        if (!usePool)
        {
            while (src.Next(x.AsSpan(b * m, m), out y[b]))
            {
                if (++b == batchSize)
                {
                    yield return new DataViewBatch(new Tensor(x, [b, m]), y);
                    x = Storage.Zeroed(batchSize * m);
                    y = new int[batchSize];
                    b = 0;
                }
            }
        }
        else
        {
            // Pool shuffle: hold up to poolRows rows; emit a random one and refill its slot from the cursor.
            var poolX = new float[poolRows * m];
            var poolY = new int[poolRows];
            int count = 0;
            while (count < poolRows && src.Next(poolX.AsSpan(count * m, m), out poolY[count])) count++;
            while (count > 0)
            {
                int i = shuffle!.Next(count);
                poolX.AsSpan(i * m, m).CopyTo(x.AsSpan(b * m, m));
                y[b] = poolY[i];
                if (!src.Next(poolX.AsSpan(i * m, m), out poolY[i]))
                {
                    count--;
                    poolX.AsSpan(count * m, m).CopyTo(poolX.AsSpan(i * m, m));
                    poolY[i] = poolY[count];
                }
                if (++b == batchSize)
                {
                    yield return new DataViewBatch(new Tensor(x, [b, m]), y);
                    x = Storage.Zeroed(batchSize * m);
                    y = new int[batchSize];
                    b = 0;
                }
            }
        }
        if (b > 0)
            yield return new DataViewBatch(new Tensor(x.AsSpan(0, b * m).ToArray(), [b, m]), y.AsSpan(0, b).ToArray());
    }

    private static DataViewSchema.Column FindColumn(DataViewSchema schema, string name, string role)
    {
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException($"The {role} column name is empty.", nameof(name));
        var col = schema.GetColumnOrNull(name);
        if (col == null)
        {
            string have = string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));
            throw new ArgumentException($"The {role} column '{name}' is missing; the data has columns {have}.", nameof(schema));
        }
        return col.Value;
    }

    private static int FeatureCount(DataViewSchema.Column features)
    {
        if (features.Type is not VectorDataViewType vec || vec.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"Features column '{features.Name}' has type {features.Type}; it must be a known-size vector of Single (e.g. from Concatenate).", nameof(features));
        if (!vec.IsKnownSize)
            throw new ArgumentException($"Features column '{features.Name}' is a vector of unknown size; it must have a known size (every row the same length).", nameof(features));
        if (vec.Dimensions.Length != 1)
            throw new ArgumentException($"Features column '{features.Name}' is a {vec.Dimensions.Length}-D vector; it must be 1-D.", nameof(features));
        return vec.Size;
    }

    private static void CheckLabelType(DataViewSchema.Column label)
    {
        var t = label.Type;
        bool ok = t is KeyDataViewType || t == NumberDataViewType.UInt32 || t == NumberDataViewType.Int32 || t == NumberDataViewType.Single;
        if (!ok)
            throw new ArgumentException($"Label column '{label.Name}' has type {t}; it must be a key (e.g. from MapValueToKey), UInt32, Int32 or Single class index.", nameof(label));
    }

    private static IReadOnlyList<string>? KeyValues(DataViewSchema.Column label, int count)
    {
        var kv = label.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (kv == null || kv.Value.Type is not VectorDataViewType vt || vt.Size != count) return null;
        var names = new string[count];
        if (vt.ItemType is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            label.Annotations.GetValue("KeyValues", ref values);
            int i = 0;
            foreach (var v in values.DenseValues()) names[i++] = v.ToString();
            return names;
        }
        return null;
    }

    /// <summary>One cursor with typed getters; reads a row into a caller's span and checks it (skipping rows with a missing value when the reader does).</summary>
    private sealed class RowSource : IDisposable
    {
        private const long MissingLabel = long.MinValue;
        private readonly DataViewBatchReader _r;
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>> _getX;
        private readonly Func<long> _getY;
        private VBuffer<float> _vec;
        private long _skipped;

        public RowSource(DataViewBatchReader reader, Random? rand)
        {
            _r = reader;
            _cursor = reader._view.GetRowCursor([reader._features, reader._label], rand);
            _getX = _cursor.GetGetter<VBuffer<float>>(reader._features);
            _getY = LabelGetter(_cursor, reader._label);
        }

        public bool Next(Span<float> x, out int label)
        {
            while (true)
            {
                if (!_cursor.MoveNext())
                {
                    _r.SkippedRows = _skipped;   // a whole pass: publish its count
                    label = 0;
                    return false;
                }
                if (Read(x, out label)) return true;
                _skipped++;
            }
        }

        // False: the row has a missing value and the reader skips such rows.
        private bool Read(Span<float> x, out int label)
        {
            label = 0;
            _getX(ref _vec);
            if (_vec.Length != _r.Features)
                throw new InvalidDataException($"Features column '{_r._features.Name}' row {_cursor.Position}: a vector of {_vec.Length} values, expected {_r.Features}.");
            _vec.CopyTo(x);   // dense copy; sparse vectors are expanded with zeros
            int bad = x.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
            {
                if (_r._skipMissing && x.ContainsAnyExceptInRange(float.NegativeInfinity, float.PositiveInfinity)) return false;   // a NaN: missing
                throw new InvalidDataException($"Features column '{_r._features.Name}' row {_cursor.Position}: feature {bad} is {x[bad]}; features must be finite.");
            }
            long y = _getY();
            if (y == MissingLabel) return false;
            if (y < 0)
                throw new InvalidDataException($"Label column '{_r._label.Name}' row {_cursor.Position}: label {y} is negative; class indices are whole numbers ≥ 0.");
            if (y >= _r.Classes)
                throw new InvalidDataException($"Label column '{_r._label.Name}' row {_cursor.Position}: label {y} is outside the {_r.Classes} classes [0, {_r.Classes}).");
            label = (int)y;
            return true;
        }

        private Func<long> LabelGetter(DataViewRowCursor c, DataViewSchema.Column col)
        {
            long Pos() => c.Position;
            string name = col.Name;
            switch (col.Type)
            {
                case KeyDataViewType key when key.RawType == typeof(uint):
                {
                    var g = c.GetGetter<uint>(col);
                    return () =>
                    {
                        uint v = 0; g(ref v);
                        if (v == 0 && _r._skipMissing) return MissingLabel;
                        if (v == 0) throw new InvalidDataException($"Label column '{name}' row {Pos()}: key 0 (a missing value); every row needs a label.");
                        return (long)v - 1;
                    };
                }
                case KeyDataViewType key:
                    throw new ArgumentException($"Label column '{name}' is a key backed by {key.RawType.Name}; only UInt32 keys (MapValueToKey's) are supported.");
                default:
                    if (col.Type == NumberDataViewType.UInt32)
                    {
                        var g = c.GetGetter<uint>(col);
                        return () => { uint v = 0; g(ref v); return v; };
                    }
                    if (col.Type == NumberDataViewType.Int32)
                    {
                        var g = c.GetGetter<int>(col);
                        return () => { int v = 0; g(ref v); return v; };
                    }
                    var gf = c.GetGetter<float>(col);
                    return () =>
                    {
                        float v = 0; gf(ref v);
                        if (float.IsNaN(v) && _r._skipMissing) return MissingLabel;
                        if (!float.IsFinite(v) || v != MathF.Floor(v))
                            throw new InvalidDataException($"Label column '{name}' row {Pos()}: {v} is not a class index (a whole number ≥ 0).");
                        return v >= 1e18f ? long.MaxValue : (long)v;
                    };
            }
        }

        public void Dispose() => _cursor.Dispose();
    }
}
