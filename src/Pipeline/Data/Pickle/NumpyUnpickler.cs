using System.Buffers.Binary;
using System.Text;
using Mlp.Numpy;

namespace Mlp.Data.Pickle;

/// <summary>
/// A small unpickler for exactly what a pickle of numpy arrays holds, and nothing else: tuples, small ints,
/// booleans, None, strings and bytes, and numpy arrays built by the only callables it knows —
/// <c>numpy.core.multiarray._reconstruct</c> + <c>ndarray.__setstate__</c> (protocols 2–4),
/// <c>numpy.core.numeric._frombuffer</c> with in-band buffers (protocol 5), <c>numpy.dtype</c> + its
/// <c>__setstate__</c>, and <c>_codecs.encode(str, 'latin1')</c> / <c>bytes()</c> (Python 3 bytes at protocol 2);
/// numpy 2's <c>numpy._core</c> spellings too. It is the one parser: nothing else ever sees the bytes, so what is
/// checked is what is built.
/// </summary>
/// <remarks>
/// <para>Allow-list discipline: every opcode not in the list below, every global not in <see cref="AllowedGlobals"/>,
/// and every call with arguments numpy never writes is refused with an <see cref="InvalidDataException"/> naming the
/// file, the opcode (or global) and its byte offset. Protocols 2, 3, 4 and 5 are read (the <c>PROTO</c> opcode must
/// come first); protocol 0/1 text pickles, persistent ids, extension codes, out-of-band buffers, lists, dicts, sets
/// and object construction (<c>NEWOBJ</c>, <c>INST</c>, <c>OBJ</c>) are refused by name.</para>
/// <para>Resource contract: the input is one byte array of n bytes (already bounded by <see cref="DataStream"/>);
/// the unpickler copies each array's data once out of it, so its peak is n plus the arrays it returns, and at
/// most <see cref="MaxOperations"/> opcodes run (the stack and memo cannot outgrow that).</para>
/// </remarks>
internal static class NumpyUnpickler
{
    /// <summary>The globals a numpy-array pickle needs, and the only ones that can be named.</summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer",
        "numpy._core.numeric._frombuffer",
        "numpy.ndarray",
        "numpy.dtype",
        "_codecs.encode",
        "__builtin__.bytes",
        "builtins.bytes",
    };

    /// <summary>A pickle of a few numpy arrays has about a hundred opcodes; more than this is not such a file.</summary>
    public const int MaxOperations = 100_000;

    // Strings longer than this are kept as raw UTF-8 (only _codecs.encode reads them: Python 3's protocol-2 bytes).
    private const int MaxTextBytes = 256;

    /// <summary>Unpickles <paramref name="data"/>; returns tuples (<c>object?[]</c>) of <see cref="NpyArray"/>, strings, longs, bools and nulls.</summary>
    /// <exception cref="InvalidDataException">The pickle is refused or malformed; the message starts with <paramref name="name"/>.</exception>
    public static object? Load(byte[] data, string name) => Export(new Machine(data, name).Run());

    // Pending arrays are exported as their finished NpyArray; anything unfinished stays as is (the caller refuses it).
    private static object? Export(object? v) => v switch
    {
        object?[] t => t.Select(Export).ToArray(),
        PendingArray { Value: { } a } => a,
        _ => v,
    };

    /// <summary>A Python 2 <c>str</c> (latin-1 text) or Python 3 <c>bytes</c>/<c>bytearray</c>: a slice of the pickle.</summary>
    internal sealed record Bytes(ReadOnlyMemory<byte> Data, bool Py2Str);

    /// <summary>A long Python 3 <c>str</c>, still UTF-8.</summary>
    internal sealed record LongText(ReadOnlyMemory<byte> Utf8);

    /// <summary>A global from <see cref="AllowedGlobals"/>.</summary>
    internal sealed record Global(string Module, string Name)
    {
        public string Full => Module + "." + Name;

        public override string ToString() => Full;
    }

    /// <summary><c>_reconstruct(ndarray, (0,), b'b')</c>: an empty array that BUILD fills.</summary>
    internal sealed class PendingArray
    {
        public NpyArray? Value { get; set; }
    }

    /// <summary><c>numpy.dtype('f4', …)</c>: kind and size, completed by BUILD with the byte order.</summary>
    internal sealed class PendingDtype(string spec)
    {
        public string Spec { get; } = spec;

        public NpyDType? Value { get; set; }

        public override string ToString() => Spec;
    }

    private sealed class MarkObject
    {
        public override string ToString() => "MARK";
    }

    private static readonly object Mark = new MarkObject();

    private sealed class Machine(byte[] data, string name)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(false, true);
        private readonly List<object?> _stack = new();
        private readonly Dictionary<long, object?> _memo = new();
        private int _pos;
        private int _at;
        private byte _op;

        public object? Run()
        {
            for (int ops = 0; ; ops++)
            {
                if (_pos >= data.Length) throw Bad("truncated: the pickle ends without its STOP opcode");
                if (ops == MaxOperations) throw Bad($"more than {MaxOperations} pickle operations; a pickle of numpy arrays has a few hundred");
                _at = _pos;
                _op = data[_pos++];
                if (ops == 0 && _op != 0x80)
                    throw Bad("the pickle does not start with a PROTO opcode: protocol 0 and 1 (text) pickles are not read; " +
                              "numpy arrays are read from protocols 2 to 5");
                if (Step())
                {
                    if (_pos != data.Length) throw Bad($"{data.Length - _pos} bytes follow the STOP opcode");
                    return _stack.Count == 0 ? throw Bad("STOP with an empty stack") : PopValue();
                }
            }
        }

        // Returns true at STOP (its value is left on the stack).
        private bool Step()
        {
            switch (_op)
            {
                case 0x80:                                                            // PROTO
                {
                    int p = Take(1)[0];
                    if (_at != 0) throw Bad("a second PROTO opcode");
                    if (p is < 2 or > 5) throw Bad($"pickle protocol {p} is not read (protocols 2 to 5 are)");
                    break;
                }
                case 0x95: Take(8); break;                                            // FRAME (advisory length)
                case (byte)'.': PeekValue(); return true;                             // STOP
                case (byte)'(': _stack.Add(Mark); break;                              // MARK
                case (byte)'0': PopAny(); break;                                      // POP (a value or a MARK)
                case (byte)'1': PopToMark(); break;                                   // POP_MARK
                case (byte)'2': _stack.Add(PeekValue()); break;                       // DUP
                case (byte)'N': _stack.Add(null); break;                              // NONE
                case 0x88: _stack.Add(true); break;                                   // NEWTRUE
                case 0x89: _stack.Add(false); break;                                  // NEWFALSE
                case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': _stack.Add((long)Take(1)[0]); break;                 // BININT1
                case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a:                                                            // LONG1
                {
                    int n = Take(1)[0];
                    if (n > 8) throw Bad($"an integer of {n} bytes; only integers that fit in 64 bits are read");
                    var b = Take(n);
                    long v = 0;
                    for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
                    if (n is > 0 and < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n);   // two's complement
                    _stack.Add(v);
                    break;
                }
                case (byte)'X': _stack.Add(Text(Take(Length(4)))); break;             // BINUNICODE
                case 0x8c: _stack.Add(Text(Take(Take(1)[0]))); break;                 // SHORT_BINUNICODE
                case 0x8d: _stack.Add(Text(Take(Length(8)))); break;                  // BINUNICODE8
                case (byte)'T': _stack.Add(Slice(SignedLength4(), py2Str: true)); break; // BINSTRING
                case (byte)'U': _stack.Add(Slice(Take(1)[0], py2Str: true)); break;   // SHORT_BINSTRING
                case (byte)'B': _stack.Add(Slice(Length(4), py2Str: false)); break;   // BINBYTES
                case (byte)'C': _stack.Add(Slice(Take(1)[0], py2Str: false)); break;  // SHORT_BINBYTES
                case 0x8e: _stack.Add(Slice(Length(8), py2Str: false)); break;        // BINBYTES8
                case 0x96: _stack.Add(Slice(Length(8), py2Str: false)); break;        // BYTEARRAY8 (an in-band buffer)
                case 0x98:                                                            // READONLY_BUFFER
                    if (PeekValue() is not Bytes) throw Bad("READONLY_BUFFER on something that is not a buffer");
                    break;
                case (byte)')': _stack.Add(System.Array.Empty<object?>()); break;            // EMPTY_TUPLE
                case (byte)'t': _stack.Add(PopToMark()); break;                       // TUPLE
                case 0x85: _stack.Add(PopTuple(1)); break;                            // TUPLE1
                case 0x86: _stack.Add(PopTuple(2)); break;                            // TUPLE2
                case 0x87: _stack.Add(PopTuple(3)); break;                            // TUPLE3
                case (byte)'c':                                                       // GLOBAL module\nname\n
                {
                    string module = Utf8Line(), global = Utf8Line();
                    _stack.Add(Allow(module, global));
                    break;
                }
                case 0x93:                                                            // STACK_GLOBAL
                {
                    object? global = PopValue(), module = PopValue();
                    if (module is not string m || global is not string g)
                        throw Bad($"STACK_GLOBAL needs two short strings, got {Describe.Value(module)} and {Describe.Value(global)}");
                    _stack.Add(Allow(m, g));
                    break;
                }
                case (byte)'R':                                                       // REDUCE
                {
                    object? args = PopValue(), callable = PopValue();
                    if (args is not object?[] tuple) throw Bad($"REDUCE with arguments {Describe.Value(args)}, not a tuple");
                    if (callable is not Global f) throw Bad($"REDUCE calls {Describe.Value(callable)}, which is not callable here");
                    _stack.Add(Call(f, tuple));
                    break;
                }
                case (byte)'b':                                                       // BUILD
                {
                    object? state = PopValue();
                    Build(PeekValue(), state);
                    break;
                }
                case (byte)'q': _memo[Take(1)[0]] = PeekValue(); break;              // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = PeekValue(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = PeekValue(); break;                   // MEMOIZE
                case (byte)'h': _stack.Add(Get(Take(1)[0])); break;                   // BINGET
                case (byte)'j': _stack.Add(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case 0x97: throw Bad("out-of-band buffers (NEXT_BUFFER) are not in the file and are refused; pickle with protocol 5 without buffer_callback");
                case (byte)'P' or (byte)'Q': throw Bad($"persistent ids ({OpName(_op)}) refer to objects outside the file and are refused");
                case 0x82 or 0x83 or 0x84: throw Bad($"extension codes ({OpName(_op)}) name objects outside the file and are refused");
                default:
                    throw Bad(OpName(_op) is { } known
                        ? $"opcode {known} is not used by pickles of numpy arrays and is refused"
                        : $"unknown pickle opcode 0x{_op:X2}; this is not a pickle, or it is corrupt");
            }
            return false;
        }

        private Global Allow(string module, string global)
        {
            string full = module + "." + global;
            if (!AllowedGlobals.Contains(full))
                throw DataFileError.Invalid(name, $"refuses to load the pickle: it references the global '{Printable(full)}' (at byte {_at}); " +
                                                  $"only numpy arrays may be unpickled ({string.Join(", ", AllowedGlobals)}).");
            return new Global(module, global);
        }

        private object? Call(Global f, object?[] args)
        {
            switch (f.Name)
            {
                case "_reconstruct":
                    if (args.Length != 3 || args[0] is not Global { Full: "numpy.ndarray" })
                        throw Bad($"{f} is called with {Describe.Args(args)}; numpy calls it with (numpy.ndarray, shape, dtype code)");
                    return new PendingArray();
                case "dtype":
                {
                    if (args.Length is < 1 or > 3 || AsText(args[0]) is not { } spec)
                        throw Bad($"numpy.dtype is called with {Describe.Args(args)}; expected a type string such as 'f4'");
                    string bare = spec.Length > 0 && "<>|=".Contains(spec[0]) ? spec[1..] : spec;
                    if (bare.StartsWith('O'))
                        throw Refused($"object arrays (dtype '{Printable(spec)}') are refused: they hold arbitrary Python objects, not numbers");
                    if (NpyDTypes.FromDescr("<" + bare) is null && NpyDTypes.FromDescr("|" + bare) is null)
                        throw Refused($"dtype '{Printable(spec)}' is not supported; {NpyDTypes.Supported}");
                    return new PendingDtype(bare);
                }
                case "_frombuffer":
                {
                    if (args.Length != 4 || args[0] is not Bytes buffer)
                        throw Bad($"{f} is called with {Describe.Args(args)}; numpy calls it with (buffer, dtype, shape, order)");
                    NpyDType dtype = Dtype(args[1]);
                    int[] dims = Shape(args[2]);
                    bool fortran = AsText(args[3]) switch
                    {
                        "C" => false,
                        "F" => true,
                        _ => throw Bad($"{f}'s order is {Describe.Value(args[3])}, not 'C' or 'F'"),
                    };
                    return Array(dims, dtype, fortran, buffer.Data);
                }
                case "encode":
                {
                    if (args.Length != 2 || AsText(args[1]) is not { } encoding ||
                        encoding.ToLowerInvariant() is not ("latin1" or "latin-1" or "iso-8859-1" or "iso8859-1"))
                        throw Bad($"_codecs.encode is called with {Describe.Args(args)}; only (str, 'latin1') is accepted");
                    string text = args[0] switch
                    {
                        string s => s,
                        LongText t => Decode(t.Utf8.Span),
                        var other => throw Bad($"_codecs.encode is called on {Describe.Value(other)}, not a str"),
                    };
                    if (text.AsSpan().ContainsAnyExceptInRange('\0', '\u00ff'))
                        throw Bad("_codecs.encode(str, 'latin1') got characters above U+00FF");
                    return new Bytes(Encoding.Latin1.GetBytes(text), Py2Str: false);
                }
                case "bytes":
                    if (args.Length != 0) throw Bad($"bytes is called with {Describe.Args(args)}; only bytes() (empty) is accepted");
                    return new Bytes(ReadOnlyMemory<byte>.Empty, Py2Str: false);
                default:
                    throw Bad($"{f} is called directly; numpy pickles arrays through _reconstruct or _frombuffer");
            }
        }

        private void Build(object? target, object? state)
        {
            if (target is PendingDtype d)
            {
                // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
                if (d.Value is not null) throw Bad("BUILD on a dtype twice");
                if (state is not object?[] { Length: >= 8 } s || AsText(s[1]) is not { Length: 1 } order)
                    throw Bad($"dtype state {Describe.Value(state)} is not numpy's (version, byteorder, subarray, names, fields, elsize, alignment, flags)");
                if (s[2] != null || s[3] != null || s[4] != null)
                    throw Refused($"structured or sub-array dtypes are not supported (dtype '{d.Spec}')");
                char byteOrder = order[0] == '=' ? '<' : order[0];
                if (byteOrder == '>' && !d.Spec.EndsWith('1'))
                    throw Refused($"big-endian arrays (dtype '>{d.Spec}') are refused; convert with x.astype(x.dtype.newbyteorder('<')) before pickling");
                if (byteOrder is not ('<' or '>' or '|')) throw Bad($"dtype byte order '{Printable(order)}' is not numpy's");
                d.Value = NpyDTypes.FromDescr("<" + d.Spec) ?? NpyDTypes.FromDescr("|" + d.Spec)
                          ?? throw Refused($"dtype '{d.Spec}' is not supported; {NpyDTypes.Supported}");
                return;
            }
            if (target is PendingArray a)
            {
                if (a.Value is not null) throw Bad("BUILD on an array twice");
                // numpy writes (version, shape, dtype, is_fortran, data); very old numpy leaves out the version.
                object?[] s = state switch
                {
                    object?[] { Length: 5 } t => t[1..],
                    object?[] { Length: 4 } t => t,
                    _ => throw Bad($"ndarray state {Describe.Value(state)} is not numpy's (version, shape, dtype, is_fortran, data)"),
                };
                int[] dims = Shape(s[0]);
                NpyDType dtype = Dtype(s[1]);
                bool fortran = s[2] switch
                {
                    bool b => b,
                    long l => l != 0,
                    var other => throw Bad($"ndarray is_fortran flag is {Describe.Value(other)}"),
                };
                ReadOnlyMemory<byte> bytes = s[3] switch
                {
                    Bytes b => b.Data,
                    string or LongText => throw Bad("the array's data is a Python 3 str, not bytes"),
                    var other => throw Bad($"the array's data is {Describe.Value(other)}, not bytes"),
                };
                a.Value = Array(dims, dtype, fortran, bytes);
                return;
            }
            throw Bad($"BUILD on {Describe.Value(target)}; only numpy arrays and dtypes are built");
        }

        private NpyArray Array(int[] dims, NpyDType dtype, bool fortran, ReadOnlyMemory<byte> bytes)
        {
            if (fortran && dims.Count(d => d > 1) > 1)
                throw Refused($"Fortran-order arrays are refused (shape {Tensor.ShapeString(dims)}); pickle np.ascontiguousarray(x) instead");
            Int128 count = 1;
            foreach (int d in dims) count *= d;
            Int128 expected = count * dtype.ItemSize();
            if (expected != bytes.Length)
                throw Refused($"an array of shape {Tensor.ShapeString(dims)} and dtype {dtype.Name()} needs {expected} bytes but the pickle holds {bytes.Length}");
            return new NpyArray(dtype, dims, bytes.ToArray());
        }

        private NpyDType Dtype(object? v) => v is PendingDtype { Value: { } t } ? t
            : throw Bad($"an ndarray's dtype is {Describe.Value(v)}, not a numpy dtype");

        private int[] Shape(object? v)
        {
            if (v is not object?[] shape) throw Bad($"an ndarray's shape is {Describe.Value(v)}, not a tuple");
            if (shape.Length > 32) throw Bad($"an ndarray's shape has {shape.Length} dimensions (numpy allows at most 32)");
            var dims = new int[shape.Length];
            Int128 count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shape[i] is not long d || d < 0 || d > int.MaxValue)
                    throw Refused($"ndarray shape {Describe.Args(shape)} has an invalid dimension {Describe.Value(shape[i])}");
                dims[i] = (int)d;
                count *= d;
            }
            if (count > System.Array.MaxLength)
                throw Refused($"ndarray shape {Tensor.ShapeString(dims)} has more elements than one array can hold");
            return dims;
        }

        private string? AsText(object? v) => v switch
        {
            string s => s,
            Bytes { Py2Str: true } b when b.Data.Length <= MaxTextBytes => Encoding.Latin1.GetString(b.Data.Span),
            _ => null,
        };

        private object Text(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > MaxTextBytes)
            {
                int start = _pos - utf8.Length;
                return new LongText(data.AsMemory(start, utf8.Length));
            }
            return Decode(utf8);
        }

        private string Decode(ReadOnlySpan<byte> utf8)
        {
            try { return StrictUtf8.GetString(utf8); }
            catch (DecoderFallbackException) { throw Bad("a string is not valid UTF-8"); }
        }

        private Bytes Slice(long length, bool py2Str)
        {
            Take(length);
            return new Bytes(data.AsMemory(_pos - (int)length, (int)length), py2Str);
        }

        private InvalidDataException Bad(string problem) =>
            DataFileError.Invalid(name, $"malformed pickle: {problem} (opcode {OpName(_op) ?? $"0x{_op:X2}"} at byte {_at}).");

        private InvalidDataException Refused(string problem) => DataFileError.Invalid(name, problem + ".");

        private object? PopAny()
        {
            if (_stack.Count == 0) throw Bad("the stack is empty");
            object? v = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return v;
        }

        private object? PopValue()
        {
            object? v = PopAny();
            return v == Mark ? throw Bad("a value was expected but found a MARK") : v;
        }

        private object? PeekValue()
        {
            if (_stack.Count == 0 || _stack[^1] == Mark) throw Bad(_stack.Count == 0 ? "the stack is empty" : "a value was expected but found a MARK");
            return _stack[^1];
        }

        private object?[] PopTuple(int n)
        {
            var t = new object?[n];
            for (int i = n - 1; i >= 0; i--) t[i] = PopValue();
            return t;
        }

        private object?[] PopToMark()
        {
            int i = _stack.LastIndexOf(Mark);
            if (i < 0) throw Bad("no MARK on the stack");
            var items = _stack.GetRange(i + 1, _stack.Count - i - 1).ToArray();
            _stack.RemoveRange(i, _stack.Count - i);
            return items;
        }

        private object? Get(long key) => _memo.TryGetValue(key, out var v) ? v : throw Bad($"memo key {key} was never stored");

        private ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0) throw Bad($"negative length {n}");
            if (n > data.Length - _pos) throw Bad($"truncated: needs {n} bytes but {data.Length - _pos} remain");
            var span = data.AsSpan(_pos, (int)n);
            _pos += (int)n;
            return span;
        }

        private long Length(int width)
        {
            ulong l = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Take(4)) : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
            return l > (ulong)data.Length ? throw Bad($"truncated: a length of {l} bytes in a pickle of {data.Length}") : (long)l;
        }

        private long SignedLength4() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        private string Utf8Line()
        {
            int end = data.AsSpan(_pos).IndexOf((byte)'\n');
            if (end < 0 || end > MaxTextBytes) throw Bad("truncated or overlong: a GLOBAL name has no end of line");
            string s = Decode(data.AsSpan(_pos, end));
            _pos += end + 1;
            return s;
        }
    }

    // Corrupt names may hold control characters; show them escaped so the message stays one readable line.
    private static string Printable(string s) =>
        string.Concat(s.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:X2}"));

    /// <summary>pickletools' name of an opcode, or null for a byte that is no opcode.</summary>
    internal static string? OpName(byte op) => op switch
    {
        (byte)'(' => "MARK",
        (byte)'.' => "STOP",
        (byte)'0' => "POP",
        (byte)'1' => "POP_MARK",
        (byte)'2' => "DUP",
        (byte)'F' => "FLOAT",
        (byte)'I' => "INT",
        (byte)'J' => "BININT",
        (byte)'K' => "BININT1",
        (byte)'L' => "LONG",
        (byte)'M' => "BININT2",
        (byte)'N' => "NONE",
        (byte)'P' => "PERSID",
        (byte)'Q' => "BINPERSID",
        (byte)'R' => "REDUCE",
        (byte)'S' => "STRING",
        (byte)'T' => "BINSTRING",
        (byte)'U' => "SHORT_BINSTRING",
        (byte)'V' => "UNICODE",
        (byte)'X' => "BINUNICODE",
        (byte)'a' => "APPEND",
        (byte)'b' => "BUILD",
        (byte)'c' => "GLOBAL",
        (byte)'d' => "DICT",
        (byte)'}' => "EMPTY_DICT",
        (byte)'e' => "APPENDS",
        (byte)'g' => "GET",
        (byte)'h' => "BINGET",
        (byte)'i' => "INST",
        (byte)'j' => "LONG_BINGET",
        (byte)'l' => "LIST",
        (byte)']' => "EMPTY_LIST",
        (byte)'o' => "OBJ",
        (byte)'p' => "PUT",
        (byte)'q' => "BINPUT",
        (byte)'r' => "LONG_BINPUT",
        (byte)'s' => "SETITEM",
        (byte)'t' => "TUPLE",
        (byte)')' => "EMPTY_TUPLE",
        (byte)'u' => "SETITEMS",
        (byte)'G' => "BINFLOAT",
        (byte)'B' => "BINBYTES",
        (byte)'C' => "SHORT_BINBYTES",
        0x80 => "PROTO",
        0x81 => "NEWOBJ",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x85 => "TUPLE1",
        0x86 => "TUPLE2",
        0x87 => "TUPLE3",
        0x88 => "NEWTRUE",
        0x89 => "NEWFALSE",
        0x8a => "LONG1",
        0x8b => "LONG4",
        0x8c => "SHORT_BINUNICODE",
        0x8d => "BINUNICODE8",
        0x8e => "BINBYTES8",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x92 => "NEWOBJ_EX",
        0x93 => "STACK_GLOBAL",
        0x94 => "MEMOIZE",
        0x95 => "FRAME",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => null,
    };
}
