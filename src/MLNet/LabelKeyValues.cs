using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlp.MLNet;

/// <summary>
/// The label's key values (ML.NET's <c>KeyValues</c> annotation: the value behind each key, in key order), carried onto
/// <c>PredictedLabel</c> so <c>MapKeyToValue</c> turns a prediction back into the original label. Text, Single, Double,
/// Int32, UInt32, Int64, UInt64 and Boolean values can be written to a model file; other kinds work in memory only.
/// </summary>
internal sealed class LabelKeyValues
{
    private readonly Func<DataViewSchema.Annotations.Builder, bool> _add;

    private LabelKeyValues(DataViewType itemType, int count, string[] text, Func<DataViewSchema.Annotations.Builder, bool> add)
    {
        ItemType = itemType;
        Count = count;
        Text = text;
        _add = add;
    }

    public DataViewType ItemType { get; }
    public int Count { get; }

    /// <summary>Each value as invariant text (round-trip for floats).</summary>
    public IReadOnlyList<string> Text { get; }

    /// <summary>"Single", "Text", … — the name written to model files, or null when this kind cannot be written.</summary>
    public string? KindName => Kinds.FirstOrDefault(k => k.Type.Equals(ItemType)).Name;

    private static readonly (string Name, DataViewType Type)[] Kinds =
    [
        ("Text", TextDataViewType.Instance), ("Single", NumberDataViewType.Single), ("Double", NumberDataViewType.Double),
        ("Int32", NumberDataViewType.Int32), ("UInt32", NumberDataViewType.UInt32), ("Int64", NumberDataViewType.Int64),
        ("UInt64", NumberDataViewType.UInt64), ("Boolean", BooleanDataViewType.Instance),
    ];

    /// <summary>Class indices "0" … "c−1" as text, for labels that are not keys.</summary>
    public static LabelKeyValues Indices(int count) =>
        Make(TextDataViewType.Instance, Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture).AsMemory()).ToArray(),
             m => m.ToString());

    /// <summary>The key values of a key column with <paramref name="count"/> keys, or null when it has none of that length.</summary>
    public static LabelKeyValues? FromColumn(DataViewSchema.Column column, int count)
    {
        var kv = column.Annotations.Schema.GetColumnOrNull(AnnotationName);
        if (kv is null || kv.Value.Type is not VectorDataViewType vt || vt.Size != count) return null;
        var item = vt.ItemType;
        if (item is TextDataViewType) return Read<ReadOnlyMemory<char>>(column, item, v => v.ToString());
        if (item == NumberDataViewType.Single) return Read<float>(column, item, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (item == NumberDataViewType.Double) return Read<double>(column, item, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (item == NumberDataViewType.Int32) return Read<int>(column, item, v => v.ToString(CultureInfo.InvariantCulture));
        if (item == NumberDataViewType.UInt32) return Read<uint>(column, item, v => v.ToString(CultureInfo.InvariantCulture));
        if (item == NumberDataViewType.Int64) return Read<long>(column, item, v => v.ToString(CultureInfo.InvariantCulture));
        if (item == NumberDataViewType.UInt64) return Read<ulong>(column, item, v => v.ToString(CultureInfo.InvariantCulture));
        if (item is BooleanDataViewType) return Read<bool>(column, item, v => v ? "true" : "false");
        // Any other kind: keep the annotation's own getter (in memory only; KindName is null, so saving refuses).
        var annotations = column.Annotations;
        return new LabelKeyValues(item, count, Enumerable.Range(0, count).Select(i => $"#{i + 1}").ToArray(), b =>
        {
            b.Add(annotations, name => name == AnnotationName);
            return true;
        });
    }

    /// <summary>Rebuilds key values written by <see cref="KindName"/> and <see cref="Text"/>.</summary>
    /// <exception cref="InvalidDataException">The kind is unknown or a value does not parse.</exception>
    public static LabelKeyValues Parse(string kind, IReadOnlyList<string> text, string source)
    {
        try
        {
            var inv = CultureInfo.InvariantCulture;
            return kind switch
            {
                "Text" => Make(TextDataViewType.Instance, text.Select(s => s.AsMemory()).ToArray(), m => m.ToString()),
                "Single" => Make(NumberDataViewType.Single, text.Select(s => float.Parse(s, inv)).ToArray(), v => v.ToString("R", inv)),
                "Double" => Make(NumberDataViewType.Double, text.Select(s => double.Parse(s, inv)).ToArray(), v => v.ToString("R", inv)),
                "Int32" => Make(NumberDataViewType.Int32, text.Select(s => int.Parse(s, inv)).ToArray(), v => v.ToString(inv)),
                "UInt32" => Make(NumberDataViewType.UInt32, text.Select(s => uint.Parse(s, inv)).ToArray(), v => v.ToString(inv)),
                "Int64" => Make(NumberDataViewType.Int64, text.Select(s => long.Parse(s, inv)).ToArray(), v => v.ToString(inv)),
                "UInt64" => Make(NumberDataViewType.UInt64, text.Select(s => ulong.Parse(s, inv)).ToArray(), v => v.ToString(inv)),
                "Boolean" => Make(BooleanDataViewType.Instance, text.Select(s => s == "true").ToArray(), v => v ? "true" : "false"),
                _ => throw new InvalidDataException($"{source}: unknown label key value kind '{kind}'."),
            };
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: a label key value of kind {kind} does not parse: {e.Message}", e);
        }
    }

    /// <summary>The <c>KeyValues</c> annotation for a key column with these values.</summary>
    public DataViewSchema.Annotations ToAnnotations()
    {
        var b = new DataViewSchema.Annotations.Builder();
        _add(b);
        return b.ToAnnotations();
    }

    public const string AnnotationName = "KeyValues";

    private static LabelKeyValues Read<T>(DataViewSchema.Column column, DataViewType item, Func<T, string> text)
    {
        VBuffer<T> buffer = default;
        column.Annotations.GetValue(AnnotationName, ref buffer);
        return Make(item, buffer.DenseValues().ToArray(), text);
    }

    private static LabelKeyValues Make<T>(DataViewType item, T[] values, Func<T, string> text)
    {
        var type = new VectorDataViewType((PrimitiveDataViewType)item, values.Length);
        return new LabelKeyValues(item, values.Length, values.Select(text).ToArray(), b =>
        {
            b.Add(AnnotationName, type, (ref VBuffer<T> v) => new VBuffer<T>(values.Length, values).CopyTo(ref v));
            return true;
        });
    }
}
