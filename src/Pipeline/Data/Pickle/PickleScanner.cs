using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Mlp.Data.Pickle;

/// <summary>
/// Walks a pickle's opcodes before anything is unpickled (as Python's <c>pickletools.genops</c> does) and refuses
/// every global that is not on the allow-list, every opcode that reaches outside the data (persistent ids,
/// extension codes, out-of-band buffers), and every length or stack operation the data cannot back.
/// </summary>
/// <remarks>
/// Razorvine resolves unknown globals to inert dictionaries instead of failing, so the allow-list has to be
/// enforced here. <c>STACK_GLOBAL</c> (protocol 4) takes its module and name from the stack, so the walk keeps a
/// symbolic stack and memo that mirror Razorvine's: strings are tracked, everything else is an opaque value.
/// Anything the walk cannot prove to be an allowed name is refused (fail closed).
/// </remarks>
internal static class PickleScanner
{
    /// <summary>
    /// The globals a numpy-array pickle needs: the array and dtype reconstructors, and (Python 3, protocol ≤ 2)
    /// the constructors Python uses for <c>bytes</c>.
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray._reconstruct",
        "numpy.ndarray",
        "numpy.dtype",
        "_codecs.encode",
        "__builtin__.bytes",
    };

    /// <summary>A pickle of a few numpy arrays has about a hundred opcodes; more than this is not such a file.</summary>
    public const int MaxOperations = 100_000;

    private static readonly object Mark = new();
    private static readonly object Opaque = new();

    /// <summary>Throws an <see cref="InvalidDataException"/> naming <paramref name="name"/> unless the pickle is safe to hand to Razorvine.</summary>
    public static void Check(byte[] data, string name)
    {
        var s = new Walk(data, name);
        s.Run();
    }

    private sealed class Walk(byte[] data, string name)
    {
        private readonly List<object> _stack = new();
        private readonly Dictionary<int, object> _memo = new();
        private int _pos;
        private int _at;     // offset of the current opcode, for messages
        private byte _op;

        public void Run()
        {
            for (int ops = 0; ; ops++)
            {
                if (_pos >= data.Length) throw Bad("truncated: the pickle ends without its STOP opcode");
                if (ops == MaxOperations) throw Bad($"more than {MaxOperations} pickle operations; a pickle of numpy arrays has a few hundred at most");
                _at = _pos;
                _op = data[_pos++];
                if (Step()) return;
            }
        }

        // Returns true at STOP.
        private bool Step()
        {
            switch (_op)
            {
                case (byte)'(': Push(Mark); break;                                   // MARK
                case (byte)'.': Value(); return true;                                // STOP
                case (byte)'0': PopAny(); break;                                     // POP
                case (byte)'1': PopToMark(); break;                                  // POP_MARK
                case (byte)'2': Push(Value()); break;                                // DUP
                case (byte)'F' or (byte)'I' or (byte)'L': Line(); Push(Opaque); break; // FLOAT, INT, LONG
                case (byte)'J': Take(4); Push(Opaque); break;                        // BININT
                case (byte)'K': Take(1); Push(Opaque); break;                        // BININT1
                case (byte)'M': Take(2); Push(Opaque); break;                        // BININT2
                case (byte)'N' or (byte)'}' or (byte)']' or (byte)')' or 0x88 or 0x89 or 0x8f:
                    Push(Opaque); break;                                             // NONE, EMPTY_DICT/LIST/TUPLE, TRUE, FALSE, EMPTY_SET
                case (byte)'P' or (byte)'Q': throw Bad("persistent ids (PERSID/BINPERSID) refer to objects outside the file and are refused");
                case (byte)'R' or 0x81: Value(); Value(); Push(Opaque); break;      // REDUCE, NEWOBJ
                case 0x92: Value(); Value(); Value(); Push(Opaque); break;           // NEWOBJ_EX
                case (byte)'S': Push(QuotedString(Line())); break;                   // STRING
                case (byte)'T': Push(Latin1(Take(Length4()))); break;                // BINSTRING
                case (byte)'U': Push(Latin1(Take(Take(1)[0]))); break;               // SHORT_BINSTRING
                case (byte)'V': Push(PlainAscii(Line())); break;                     // UNICODE (raw-unicode-escape)
                case (byte)'X': Push(Utf8(Take(Length4()))); break;                  // BINUNICODE
                case 0x8c: Push(Utf8(Take(Take(1)[0]))); break;                      // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(Take(Length8()))); break;                       // BINUNICODE8
                case (byte)'B': Take(Length4()); Push(Opaque); break;                // BINBYTES
                case (byte)'C': Take(Take(1)[0]); Push(Opaque); break;               // SHORT_BINBYTES
                case 0x8e or 0x96: Take(Length8()); Push(Opaque); break;             // BINBYTES8, BYTEARRAY8
                case 0x8a: Take(Take(1)[0]); Push(Opaque); break;                    // LONG1
                case 0x8b: Take(Length4()); Push(Opaque); break;                     // LONG4
                case (byte)'G': Take(8); Push(Opaque); break;                        // BINFLOAT
                case (byte)'a' or (byte)'b': Value(); Value(); Push(Opaque); break;  // APPEND, BUILD: pop one, keep the target
                case (byte)'s': Value(); Value(); Value(); Push(Opaque); break;      // SETITEM
                case (byte)'e' or (byte)'u' or 0x90: PopToMark(); Value(); Push(Opaque); break; // APPENDS, SETITEMS, ADDITEMS
                case (byte)'d' or (byte)'l' or (byte)'t' or 0x91: PopToMark(); Push(Opaque); break; // DICT, LIST, TUPLE, FROZENSET
                case (byte)'o':                                                      // OBJ: class and args since the mark
                    if (PopToMark() == 0) throw Bad("OBJ without a class");
                    Push(Opaque); break;
                case (byte)'c':                                                      // GLOBAL module\nname\n
                {
                    string module = Utf8Line(), global = Utf8Line();
                    Allow(module, global);
                    Push(Opaque); break;
                }
                case (byte)'i':                                                      // INST module\nname\n
                {
                    string module = Utf8Line(), global = Utf8Line();
                    Allow(module, global);
                    PopToMark();
                    Push(Opaque); break;
                }
                case 0x93:                                                           // STACK_GLOBAL
                {
                    object global = Value(), module = Value();
                    if (module is not string m || global is not string g)
                        throw Bad("STACK_GLOBAL's module and name are not plain strings; the global cannot be checked and is refused");
                    Allow(m, g);
                    Push(Opaque); break;
                }
                case (byte)'g': Push(Get(ParseInt(Line()))); break;                 // GET
                case (byte)'h': Push(Get(Take(1)[0])); break;                       // BINGET
                case (byte)'j': Push(Get(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case (byte)'p': _memo[ParseInt(Line())] = Top(); break;              // PUT
                case (byte)'q': _memo[Take(1)[0]] = Top(); break;                    // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadInt32LittleEndian(Take(4))] = Top(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Top(); break;                        // MEMOIZE (Razorvine: memo[memo.Count])
                case 0x80:                                                           // PROTO
                    if (Take(1)[0] is var p && p > 5) throw Bad($"pickle protocol {p} is not supported (at most 5)");
                    break;
                case 0x85: Value(); Push(Opaque); break;                             // TUPLE1
                case 0x86: Value(); Value(); Push(Opaque); break;                    // TUPLE2
                case 0x87: Value(); Value(); Value(); Push(Opaque); break;           // TUPLE3
                case 0x95: Take(8); break;                                           // FRAME (length is advisory)
                case 0x82 or 0x83 or 0x84: throw Bad("extension codes (EXT1/EXT2/EXT4) name objects outside the file and are refused");
                case 0x97: throw Bad("out-of-band buffers (NEXT_BUFFER) are not in the file and are refused");
                case 0x98: Top(); break;                                             // READONLY_BUFFER
                default: throw Bad($"unknown pickle opcode 0x{_op:X2}; this is not a pickle, or it is corrupt");
            }
            return false;
        }

        private void Allow(string module, string global)
        {
            string full = module + "." + global;
            if (!AllowedGlobals.Contains(full))
                throw DataFileError.Invalid(name, $"refuses to load the pickle: it references the global '{Printable(full)}' (at byte {_at}); " +
                                                  $"only numpy arrays may be unpickled ({string.Join(", ", AllowedGlobals)}).");
        }

        // Corrupt names may hold control characters; show them escaped so the message stays one readable line.
        private static string Printable(string s) =>
            string.Concat(s.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:X2}"));

        private InvalidDataException Bad(string problem) =>
            DataFileError.Invalid(name, $"malformed pickle: {problem} (opcode 0x{_op:X2} at byte {_at}).");

        private void Push(object v) => _stack.Add(v);

        private object PopAny()
        {
            if (_stack.Count == 0) throw Bad("the stack is empty");
            object v = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return v;
        }

        private object Value()
        {
            object v = PopAny();
            if (v == Mark) throw Bad("a value was expected but found a MARK");
            return v;
        }

        private object Top()
        {
            object v = Value();
            Push(v);
            return v;
        }

        private int PopToMark()
        {
            int i = _stack.LastIndexOf(Mark);
            if (i < 0) throw Bad("no MARK on the stack");
            int count = _stack.Count - i - 1;
            _stack.RemoveRange(i, _stack.Count - i);
            return count;
        }

        private object Get(int key) => _memo.TryGetValue(key, out var v) ? v : throw Bad($"memo key {key} was never stored");

        private ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0) throw Bad($"negative length {n}");
            if (n > data.Length - _pos) throw Bad($"truncated: needs {n} bytes but {data.Length - _pos} remain");
            var span = data.AsSpan(_pos, (int)n);
            _pos += (int)n;
            return span;
        }

        private long Length4() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        private long Length8() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        private ReadOnlySpan<byte> Line()
        {
            int end = data.AsSpan(_pos).IndexOf((byte)'\n');
            if (end < 0) throw Bad("truncated: a text argument has no end of line");
            var line = data.AsSpan(_pos, end);
            _pos += end + 1;
            return line;
        }

        private string Utf8Line() => Encoding.UTF8.GetString(Line());

        // Razorvine parses text memo keys with int.Parse in the current culture; only plain digits (which Python
        // writes) parse the same everywhere, so anything else is refused rather than risk a memo that differs.
        private int ParseInt(ReadOnlySpan<byte> line)
        {
            var digits = line.Length > 0 && line[0] == (byte)'-' ? line[1..] : line;
            if (digits.Length is 0 or > 9 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                throw Bad("a memo key is not a plain integer");
            return int.Parse(Encoding.ASCII.GetString(line), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        // Strings are tracked only where Razorvine decodes them to the same text, and only while short enough to
        // be a module or class name (array data is a string in Python 2 pickles: it must not be copied here);
        // anything else is opaque, so STACK_GLOBAL on it is refused.
        private const int MaxNameBytes = 256;
        private static object Latin1(ReadOnlySpan<byte> b) => b.Length <= MaxNameBytes ? Encoding.Latin1.GetString(b) : Opaque;
        private static object Utf8(ReadOnlySpan<byte> b) => b.Length <= MaxNameBytes && Ascii.IsValid(b) ? Encoding.ASCII.GetString(b) : Opaque;
        private static object PlainAscii(ReadOnlySpan<byte> b) =>
            b.Length <= MaxNameBytes && Ascii.IsValid(b) && b.IndexOf((byte)'\\') < 0 ? Encoding.ASCII.GetString(b) : Opaque;

        private object QuotedString(ReadOnlySpan<byte> line)
        {
            if (line.Length < 2 || (line[0] != '\'' && line[0] != '"') || line[^1] != line[0])
                throw Bad("a STRING argument is not quoted");
            return PlainAscii(line[1..^1]);
        }
    }
}
