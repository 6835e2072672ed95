using System.IO.Compression;

namespace Mlp.Data;

/// <summary>
/// The bytes of one data file, gunzipped when they start with the gzip magic <c>1f 8b</c> (whatever the name
/// says). Every read is bounded: a length taken from a header is checked against what the file can hold before
/// anything is allocated, and where the length of the data is unknown (gzip, pipes) buffers grow only as data
/// actually arrives, so a lying header fails on early end-of-data instead of allocating gigabytes. Gzip data may
/// decompress to at most <see cref="DataLimits.MaxExpandedBytes"/> of its compressed size (the whole file's when it
/// is seekable, else what has been read so far): a decompression bomb is refused, never expanded.
/// </summary>
internal sealed class DataStream : IDisposable
{
    private const int FirstChunk = 1 << 20;

    private readonly Stream _stream;
    private readonly CountingStream? _compressed;   // gzip of unknown length: the compressed bytes read so far
    private readonly long? _sourceBytes;   // bytes of the (possibly compressed) source from the start, if known
    private readonly long? _bound;         // upper bound on the decompressed length, if known
    private readonly bool _exact;          // _bound is the exact length (raw, seekable)
    private long _read;

    private DataStream(Stream stream, string name, bool gzip, long? sourceBytes, CountingStream? compressed)
    {
        _stream = stream;
        _compressed = compressed;
        Name = name;
        IsGzip = gzip;
        _sourceBytes = sourceBytes;
        _exact = !gzip && sourceBytes.HasValue;
        _bound = sourceBytes is long s ? (gzip ? DataLimits.MaxExpandedBytes(s) : s) : null;
    }

    /// <summary>The file's name, used in every message.</summary>
    public string Name { get; }

    /// <summary>True when the file is gzip-compressed.</summary>
    public bool IsGzip { get; }

    /// <summary>(Decompressed) bytes read so far.</summary>
    public long Consumed => _read;

    /// <summary>Wraps <paramref name="source"/> (left open) from its current position, detecting gzip by its magic.</summary>
    public static DataStream Open(Stream source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead) throw new ArgumentException($"{name}: the stream is not readable.", nameof(source));
        long? total = null;
        long start = 0;
        if (source.CanSeek)
        {
            start = source.Position;
            total = Math.Max(0, source.Length - start);
        }
        var magic = new byte[2];
        int got = 0;
        try
        {
            while (got < 2)
            {
                int n = source.Read(magic, got, 2 - got);
                if (n == 0) break;
                got += n;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw DataFileError.Invalid(name, $"cannot be read ({e.Message})", e);
        }
        Stream raw;
        if (source.CanSeek) { source.Position = start; raw = new PrefixedStream([], source, leaveOpen: true); }
        else raw = new PrefixedStream(magic[..got], source, leaveOpen: true);

        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        CountingStream? counted = gzip && total is null ? new CountingStream(raw) : null;
        Stream stream = gzip ? new GZipStream(counted ?? raw, CompressionMode.Decompress, leaveOpen: false) : raw;
        return new DataStream(stream, name, gzip, total, counted);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fails saying which part (<paramref name="what"/>) is truncated.</summary>
    public byte[] ReadExactly(long count, string what)
    {
        Require(count, what);
        var buf = new byte[Math.Min(count, FirstGuess)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buf.Length) Array.Resize(ref buf, (int)Math.Min(count, 2L * buf.Length));
            int n = ReadSome(buf.AsSpan(filled));
            if (n == 0)
                throw DataFileError.Invalid(Name, $"truncated: {what} needs {count} bytes but the {Kind}data ends after {filled} of them " +
                                                   $"(at byte {_read} of the {Kind}file).");
            filled += n;
            _read += n;
        }
        return buf;
    }

    /// <summary>
    /// Fails unless <paramref name="count"/> more bytes can fit in what remains of the file (exactly for raw seekable
    /// data; by the deflate ratio bound for gzip) and in one array. Call it before allocating anything sized by a header.
    /// </summary>
    public void Require(long count, string what)
    {
        if (count < 0 || count > Array.MaxLength)
            throw DataFileError.Invalid(Name, $"{what} would need {count} bytes, more than one array can hold ({Array.MaxLength}); the header is corrupt.");
        if (_bound is not long bound || _read + count <= bound) return;
        if (_exact)
            throw DataFileError.Invalid(Name, $"truncated: {what} needs {count} bytes but only {bound - _read} bytes remain in the file (or the header is corrupt).");
        throw DataFileError.Invalid(Name, $"corrupt header or decompression bomb: {what} needs {count} bytes but {_sourceBytes} bytes of gzip data " +
                                           $"can hold at most {bound} bytes ({DataLimits.ExpansionHelp}).");
    }

    /// <summary>True when no byte follows what has been read.</summary>
    public bool AtEnd()
    {
        Span<byte> one = stackalloc byte[1];
        return ReadSome(one) == 0;
    }

    /// <summary>Reads everything that is left, growing the buffer only as data arrives.</summary>
    public byte[] ReadToEnd(string what)
    {
        long initial = _exact && _bound is long b ? b - _read : FirstGuess;
        var buf = new byte[Math.Clamp(initial, 1, Array.MaxLength)];
        int filled = 0;
        while (true)
        {
            if (filled == buf.Length)
            {
                if (buf.Length == Array.MaxLength)
                    throw DataFileError.Invalid(Name, $"{what} is larger than one array can hold ({Array.MaxLength} bytes).");
                Array.Resize(ref buf, (int)Math.Min(Array.MaxLength, 2L * buf.Length));
            }
            int n = ReadSome(buf.AsSpan(filled));
            if (n == 0) break;
            filled += n;
            _read += n;
        }
        Array.Resize(ref buf, filled);
        return buf;
    }

    // The first buffer: everything for raw seekable data; for gzip, 4× the compressed size (images and pickled
    // floats compress 2–5×), then doubling as data keeps arriving; for unknown lengths, 1 MiB.
    private long FirstGuess => _exact && _bound is long b ? b - _read : Math.Max(FirstChunk, 4 * (_sourceBytes ?? 0));

    private string Kind => IsGzip ? "decompressed " : "";

    private int ReadSome(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _stream.Read(buffer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw DataFileError.Invalid(Name, IsGzip
                ? $"corrupt gzip data after {_read} decompressed bytes ({e.Message})"
                : $"read failed after {_read} bytes ({e.Message})", e);
        }
        if (IsGzip && n > 0)
        {
            long limit = _bound ?? DataLimits.MaxExpandedBytes(_compressed!.Count);
            if (_read + n > limit)
                throw DataFileError.Invalid(Name, $"decompression bomb: the gzip data expands beyond {limit} bytes, more than " +
                                                   $"{(_bound.HasValue ? $"its {_sourceBytes} compressed bytes" : "the compressed bytes read so far")} may hold ({DataLimits.ExpansionHelp}).");
        }
        return n;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Counts the bytes read through it (the compressed side of a gzip stream of unknown length).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Count += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
