using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Mlp.Models;

namespace Mlp.Serialization;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face <c>safetensors</c>; PyTorch: <c>safetensors.torch.save_file</c> /
/// <c>load_file</c>): an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": […], "data_offsets": [begin, end]}, "__metadata__": {…}}</c>), then the raw
/// little-endian tensor bytes. Loading runs no code. Float32 (<c>F32</c>) tensors, and int64 (<c>I64</c>) tensors such as
/// BatchNorm's <c>num_batches_tracked</c>, are supported.
/// </summary>
/// <remarks>
/// Resource contract: a file is read whole (it is never larger than one array, 2 GB, or it is refused before
/// reading) and nothing is decompressed; every tensor's shape is checked against its byte range and the ranges must
/// tile the data exactly, so peak memory is the file plus the tensors returned (about twice the data). Malformed
/// headers (invalid JSON or UTF-8, duplicate keys, bad offsets) are <see cref="InvalidDataException"/>s naming the file.
/// </remarks>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100 * 1024 * 1024; // the reference implementation's limit

    /// <summary>Writes the tensors and metadata to <paramref name="path"/> atomically (a temporary file in the same folder, then a rename).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Named tensors; names must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">String metadata for <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A name is repeated or reserved.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        Save(path, tensors, [], metadata);

    /// <summary>Writes float32 and int64 tensors and metadata to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Named float32 tensors.</param>
    /// <param name="int64Tensors">Named int64 tensors, written after the float ones.</param>
    /// <param name="metadata">String metadata for <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A name is repeated or reserved, or an int64 tensor's values do not fill its shape.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyList<NamedInt64Tensor> int64Tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Serialize(tensors, int64Tensors, metadata);
        AtomicFile.Write(path, bytes);
    }

    /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/> and <paramref name="metadata"/>.</summary>
    /// <exception cref="ArgumentException">A name is repeated or reserved.</exception>
    public static byte[] Serialize(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        Serialize(tensors, [], metadata);

    /// <summary>The bytes of a safetensors file holding float32 <paramref name="tensors"/>, <paramref name="int64Tensors"/> and <paramref name="metadata"/>.</summary>
    /// <exception cref="ArgumentException">A name is repeated or reserved, or an int64 tensor's values do not fill its shape.</exception>
    public static byte[] Serialize(IReadOnlyList<NamedTensor> tensors, IReadOnlyList<NamedInt64Tensor> int64Tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(int64Tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var header = new JsonObject();
        if (metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var kv in metadata) meta[kv.Key] = kv.Value;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (t.Name == "__metadata__" || !seen.Add(t.Name))
                throw new ArgumentException($"Tensor name '{t.Name}' is repeated or reserved.", nameof(tensors));
            long size = (long)t.Value.Length * sizeof(float);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Value.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        foreach (var t in int64Tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(int64Tensors));
            if (t.Name == "__metadata__" || !seen.Add(t.Name))
                throw new ArgumentException($"Tensor name '{t.Name}' is repeated or reserved.", nameof(int64Tensors));
            long numel = t.Shape.Aggregate(1L, (n, d) => n * d);
            if (t.Shape.Any(d => d < 0) || numel != t.Values.Count)
                throw new ArgumentException($"Int64 tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.Count} values.", nameof(int64Tensors));
            long size = numel * sizeof(long);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "I64",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // pad with spaces so the data starts 8-byte aligned, as the reference writer does
        var bytes = new byte[checked(8 + padded + offset)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        long pos = 8 + padded;
        foreach (var t in tensors)
        {
            var src = MemoryMarshal.AsBytes(t.Value.AsSpan());
            if (BitConverter.IsLittleEndian) src.CopyTo(bytes.AsSpan((int)pos));
            else
                for (int i = 0; i < t.Value.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)pos + 4 * i), t.Value.AsSpan()[i]);
            pos += src.Length;
        }
        foreach (var t in int64Tensors)
            foreach (long v in t.Values)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan((int)pos), v);
                pos += sizeof(long);
            }
        return bytes;
    }

    /// <summary>Reads a safetensors file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (truncated, bad header, bad offsets, unsupported dtype); the message names the file and the problem.</exception>
    public static SafeTensorsContent Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        long length = new FileInfo(path).Length;
        if (length > Array.MaxLength)
            throw new InvalidDataException($"{path}: not a valid safetensors file for Mlp: it has {length} bytes, more than the {Array.MaxLength} one array can hold.");
        return Deserialize(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of a safetensors file; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors; the message names <paramref name="source"/>.</exception>
    public static SafeTensorsContent Deserialize(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return Parse(bytes, source);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or DecoderFallbackException)
        {
            // System.Text.Json's complaints about a header it cannot read: duplicate keys, invalid UTF-8, wrong kinds.
            string why = e is ArgumentException && e.Message.Contains("same key", StringComparison.Ordinal) ? "the header repeats a key" : e.Message;
            throw new InvalidDataException($"{source}: not a valid safetensors file: the header is malformed ({why}).", e);
        }
    }

    private static SafeTensorsContent Parse(byte[] bytes, string source)
    {
        InvalidDataException Bad(string what) => new($"{source}: not a valid safetensors file: {what}.");
        if (bytes.Length < 8) throw Bad($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8) || n > MaxHeaderBytes)
            throw Bad($"the header length {n} exceeds the {bytes.Length - 8} bytes that follow it (truncated or not safetensors)");
        JsonObject header;
        try
        {
            var utf8 = bytes.AsSpan(8, (int)n);
            if (!Utf8.IsValid(utf8)) throw Bad("the header is not valid UTF-8");
            header = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                     ?? throw Bad("the header is not a JSON object");
        }
        catch (JsonException e) { throw Bad($"the header is not valid JSON ({e.Message})"); }

        long dataLength = bytes.Length - 8 - (long)n;
        int dataStart = 8 + (int)n;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, int[] Shape, long Begin, long End, bool Int64)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw Bad("__metadata__ is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue jv && jv.TryGetValue(out string? s) ? s : throw Bad($"__metadata__ value of '{k}' is not a string");
                continue;
            }
            if (node is not JsonObject info) throw Bad($"the entry for '{name}' is not an object");
            string dtype = info["dtype"] is JsonValue dv && dv.TryGetValue(out string? d) ? d : throw Bad($"tensor '{name}' has no dtype");
            if (dtype is not ("F32" or "I64")) throw Bad($"tensor '{name}' has dtype {dtype}; only F32 and I64 are supported");
            int itemSize = dtype == "I64" ? sizeof(long) : sizeof(float);
            int[] shape = ReadInts(info["shape"], name, "shape", Bad);
            long[] off = ReadLongs(info["data_offsets"], name, Bad);
            if (off.Length != 2) throw Bad($"tensor '{name}' has {off.Length} data offsets instead of 2");
            long numel = 1;
            foreach (int dim in shape)
            {
                if (dim < 0) throw Bad($"tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
                numel *= dim;
                if (numel > Array.MaxLength) throw Bad($"tensor '{name}' has an absurd shape [{string.Join(", ", shape)}]");
            }
            if (off[0] < 0 || off[1] < off[0] || off[1] > dataLength)
                throw Bad($"tensor '{name}' has data offsets [{off[0]}, {off[1]}] outside the {dataLength} data bytes (truncated?)");
            if (off[1] - off[0] != numel * itemSize)
                throw Bad($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({numel * itemSize} bytes of {dtype}) but data offsets [{off[0]}, {off[1]}] ({off[1] - off[0]} bytes)");
            entries.Add((name, shape, off[0], off[1], dtype == "I64"));
        }
        // The format requires the tensors to tile the data buffer without overlap.
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
        long expect = 0;
        foreach (var e in sorted)
        {
            if (e.Begin != expect) throw Bad($"tensor '{e.Name}' starts at byte {e.Begin}, expected {expect} (overlapping or gapped data)");
            expect = e.End;
        }
        if (expect != dataLength) throw Bad($"the tensors cover {expect} bytes but the file has {dataLength} data bytes");

        var tensors = new List<NamedTensor>(entries.Count);
        var int64s = new List<NamedInt64Tensor>();
        foreach (var (name, shape, begin, end, isInt64) in entries)
        {
            if (isInt64)
            {
                var longs = new long[(end - begin) / sizeof(long)];
                for (int j = 0; j < longs.Length; j++) longs[j] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(dataStart + (int)begin + sizeof(long) * j));
                int64s.Add(new NamedInt64Tensor(name, shape, longs));
                continue;
            }
            var data = new float[(end - begin) / 4];
            var src = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
            if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
            else for (int j = 0; j < data.Length; j++) data[j] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * j)..]);
            tensors.Add(new NamedTensor(name, new Tensor(data, shape)));
        }
        return new SafeTensorsContent(tensors, metadata) { Int64Tensors = int64s };
    }

    private static int[] ReadInts(JsonNode? node, string name, string field, Func<string, InvalidDataException> bad)
    {
        if (node is not JsonArray arr) throw bad($"tensor '{name}' has no {field} array");
        var r = new int[arr.Count];
        for (int i = 0; i < r.Length; i++)
            r[i] = arr[i] is JsonValue v && v.TryGetValue(out long l) && l is >= 0 and <= int.MaxValue ? (int)l
                : throw bad($"tensor '{name}' has an invalid {field} entry '{arr[i]?.ToJsonString()}'");
        return r;
    }

    private static long[] ReadLongs(JsonNode? node, string name, Func<string, InvalidDataException> bad)
    {
        if (node is not JsonArray arr) throw bad($"tensor '{name}' has no data_offsets array");
        var r = new long[arr.Count];
        for (int i = 0; i < r.Length; i++)
            r[i] = arr[i] is JsonValue v && v.TryGetValue(out long l) ? l : throw bad($"tensor '{name}' has an invalid data offset '{arr[i]?.ToJsonString()}'");
        return r;
    }
}
