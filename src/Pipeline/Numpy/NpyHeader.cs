using System.Globalization;
using System.Text;

namespace Mlp.Numpy;

/// <summary>
/// The <c>.npy</c> header: magic <c>\x93NUMPY</c>, a version byte pair, the header length (2 bytes in format 1.0,
/// 4 bytes in 2.0 and 3.0) and a Python dict literal such as <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>,
/// padded with spaces and a newline (numpy's <c>numpy/lib/format.py</c>).
/// </summary>
internal static class NpyHeader
{
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>numpy reads at most 10000 header bytes unless told otherwise; we allow more but never an absurd amount.</summary>
    internal const int MaxHeaderLength = 1 << 16;

    /// <summary>What a parsed header says.</summary>
    internal readonly record struct Info(NpyDType DType, int[] Shape, long ByteCount, int DataOffset);

    /// <summary>Reads and checks the header from the start of <paramref name="data"/>, the whole file's bytes.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or describes data Mlp does not read; the message names <paramref name="source"/>.</exception>
    internal static Info Parse(ReadOnlySpan<byte> data, string source) => Parse(data, source, headerOnly: false);

    /// <summary>
    /// Reads the header from <paramref name="data"/>, the preamble and header only (no data after them is needed):
    /// what <see cref="Info"/> says the data should be, so a reader can bound what it reads next.
    /// </summary>
    internal static Info ParseHeaderOnly(ReadOnlySpan<byte> data, string source) => Parse(data, source, headerOnly: true);

    private static Info Parse(ReadOnlySpan<byte> data, string source, bool headerOnly)
    {
        if (data.Length < Magic.Length + 2 || !data[..Magic.Length].SequenceEqual(Magic))
            throw Bad(source, data.Length < Magic.Length + 2 && Magic.StartsWith(data)
                ? $"truncated: {data.Length} bytes, shorter than the .npy magic and version"
                : "not a .npy file (no \\x93NUMPY magic at the start)");
        int major = data[6], minor = data[7];
        if (major is < 1 or > 3 || minor != 0)
            throw Bad(source, $".npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        int lenBytes = major == 1 ? 2 : 4;
        int prefix = 8 + lenBytes;
        if (data.Length < prefix)
            throw Bad(source, $"truncated: {data.Length} bytes, shorter than the {prefix}-byte .npy preamble");
        long headerLength = major == 1
            ? data[8] | (data[9] << 8)
            : (uint)(data[8] | (data[9] << 8) | (data[10] << 16) | (data[11] << 24));
        if (headerLength > MaxHeaderLength)
            throw Bad(source, $"the header claims {headerLength} bytes, more than the {MaxHeaderLength} a .npy header can sensibly have");
        if (headerLength > data.Length - prefix)
            throw Bad(source, $"truncated: the header claims {headerLength} bytes but only {data.Length - prefix} follow the preamble");

        var headerBytes = data.Slice(prefix, (int)headerLength);
        string text;
        try
        {
            // 1.0 and 2.0 headers are latin-1; 3.0 is UTF-8 (for field names of structured dtypes).
            text = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(source, "the format 3.0 header is not valid UTF-8");
        }

        var dict = new DictParser(text, source).ParseDict();
        foreach (var key in dict.Keys)
            if (key is not ("descr" or "fortran_order" or "shape"))
                throw Bad(source, $"the header has an unexpected key '{key}' (numpy writes only 'descr', 'fortran_order' and 'shape')");
        if (!dict.TryGetValue("descr", out var descrValue)) throw Bad(source, "the header has no 'descr' (dtype)");
        if (!dict.TryGetValue("fortran_order", out var fortranValue)) throw Bad(source, "the header has no 'fortran_order'");
        if (!dict.TryGetValue("shape", out var shapeValue)) throw Bad(source, "the header has no 'shape'");

        if (descrValue is not string descr)
            throw Bad(source, "the dtype is structured (a list of fields); only plain numeric dtypes <f4, <f8, <i8, <i4 and |u1 are supported");
        NpyDType dtype = ParseDescr(descr, source);
        if (fortranValue is not bool fortran) throw Bad(source, "'fortran_order' is not True or False");
        if (shapeValue is not long[] dims) throw Bad(source, "'shape' is not a tuple of integers");

        var shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0 || dims[i] > int.MaxValue)
                throw Bad(source, $"dimension {i} of the shape is {dims[i]}, outside 0…{int.MaxValue}");
            shape[i] = (int)dims[i];
        }
        foreach (int d in shape) if (d == 0) count = 0;
        if (count != 0)
            foreach (int d in shape)
            {
                count *= d;
                if (count > Array.MaxLength)
                    throw Bad(source, $"the shape {Tensor.ShapeString(shape)} has more elements than an array can hold");
            }
        // C and Fortran order coincide when at most one dimension exceeds 1 (numpy writes such arrays either way).
        if (fortran && shape.Count(d => d > 1) > 1)
            throw Bad(source, $"the array of shape {Tensor.ShapeString(shape)} is in Fortran (column-major) order; only C order is supported — save np.ascontiguousarray(a) instead");

        long byteCount = count * dtype.ItemSize();
        if (headerOnly) return new Info(dtype, shape, byteCount, (int)(prefix + headerLength));
        long available = data.Length - prefix - headerLength;
        if (byteCount > available)
            throw Bad(source, $"truncated: {descr} {Tensor.ShapeString(shape)} needs {byteCount} data bytes but only {available} follow the header");
        if (byteCount < available)
            throw Bad(source, $"{available - byteCount} unexpected bytes after the data of {descr} {Tensor.ShapeString(shape)} ({byteCount} bytes)");
        return new Info(dtype, shape, byteCount, (int)(prefix + headerLength));
    }

    private static NpyDType ParseDescr(string descr, string source) => NpyDTypes.FromDescr(descr) ?? descr switch
    {
        _ when descr.Length >= 2 && descr[0] == '>' =>
            throw Bad(source, $"dtype '{descr}' is big-endian; only little-endian data is supported — save a.astype('<{descr[1..]}') instead"),
        _ when descr.Length >= 2 && descr[1] == 'O' =>
            throw Bad(source, $"dtype '{descr}' holds Python objects (pickles), which are not read for safety; save a numeric array instead"),
        _ => throw Bad(source, $"dtype '{Printable(descr)}' is not supported; {NpyDTypes.Supported}"),
    };

    /// <summary>The bytes of a format 1.0 header (2.0 if the dict is longer than 65535 bytes), padded to a multiple of 64.</summary>
    internal static byte[] Format(NpyDType dtype, IReadOnlyList<int> shape)
    {
        string dims = shape.Count switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': '{dtype.Descr()}', 'fortran_order': False, 'shape': {dims}, }}";
        int major = dict.Length + 1 + 10 > ushort.MaxValue ? 2 : 1;
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string padded = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        var header = new byte[total];
        Magic.CopyTo(header);
        header[6] = (byte)major;
        header[7] = 0;
        int len = padded.Length;
        header[8] = (byte)len; header[9] = (byte)(len >> 8);
        if (major == 2) { header[10] = (byte)(len >> 16); header[11] = (byte)(len >> 24); }
        Encoding.Latin1.GetBytes(padded, header.AsSpan(prefix));
        return header;
    }

    internal static InvalidDataException Bad(string source, string problem) => new($"{source}: {problem}.");

    internal static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s.Length > 40 ? s[..40] + "…" : s) sb.Append(char.IsControl(c) ? '?' : c);
        return sb.ToString();
    }

    /// <summary>A parser for the one Python literal numpy writes: a dict of strings, booleans and int tuples.</summary>
    private ref struct DictParser(string text, string source)
    {
        private int pos;

        public Dictionary<string, object> ParseDict()
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            SkipSpace();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { pos++; break; }
                string key = ParseString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                object value = ParseValue();
                if (!result.TryAdd(key, value)) throw Error($"the key '{Printable(key)}' appears twice");
                SkipSpace();
                if (Peek() == ',') { pos++; continue; }
                SkipSpace();
                Expect('}');
                break;
            }
            SkipSpace();
            if (pos != text.Length) throw Error($"unexpected text after the dict at offset {pos}");
            return result;
        }

        private object ParseValue()
        {
            char c = Peek();
            if (c is '\'' or '"') return ParseString();
            if (c == '(') return ParseTuple();
            if (c == '[') throw Error("the dtype is structured (a list of fields); only plain numeric dtypes are supported");
            if (Word("True")) return true;
            if (Word("False")) return false;
            throw Error($"unexpected character '{Printable(c.ToString())}' at offset {pos}");
        }

        private long[] ParseTuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { pos++; return [.. dims]; }
                if (dims.Count >= 64) throw Error("the shape has more than 64 dimensions");
                dims.Add(ParseInt());
                SkipSpace();
                if (Peek() == 'L') pos++; // Python 2 longs, e.g. (3L, 4L)
                SkipSpace();
                if (Peek() == ',') { pos++; continue; }
                SkipSpace();
                Expect(')');
                return [.. dims];
            }
        }

        private long ParseInt()
        {
            int start = pos;
            if (Peek() == '-') pos++;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
            if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw Error(pos - start > 18 ? "a shape dimension is absurdly large" : $"expected an integer in the shape at offset {start}");
            return v;
        }

        private string ParseString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Error($"expected a quoted string at offset {pos}");
            int end = text.IndexOf(quote, pos + 1);
            if (end < 0) throw Error("a string in the header is not closed");
            string s = text[(pos + 1)..end];
            pos = end + 1;
            return s;
        }

        private bool Word(string w)
        {
            if (string.CompareOrdinal(text, pos, w, 0, w.Length) != 0) return false;
            pos += w.Length;
            return true;
        }

        private readonly char Peek() => pos < text.Length ? text[pos] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c) throw Error(pos < text.Length ? $"expected '{c}' at offset {pos} but found '{Printable(text[pos].ToString())}'" : $"expected '{c}' but the header ended");
            pos++;
        }

        private void SkipSpace()
        {
            while (pos < text.Length && text[pos] is ' ' or '\t' or '\n' or '\r') pos++;
        }

        private readonly InvalidDataException Error(string problem) => Bad(source, "malformed header: " + problem);
    }
}
