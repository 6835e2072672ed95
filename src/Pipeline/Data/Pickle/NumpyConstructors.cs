using Razorvine.Pickle;

namespace Mlp.Data.Pickle;

/// <summary>
/// The only constructors Razorvine may call for our pickles: numpy's array and dtype reconstructors, the
/// <c>numpy.ndarray</c> type marker they take as an argument, and Python 3's latin-1 <c>bytes</c> encoding.
/// Registration is process-wide (Razorvine keeps one static table) and happens once.
/// </summary>
internal static class NumpyConstructors
{
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>Registers the constructors with Razorvine (idempotent, thread-safe).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            foreach (string module in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
                Unpickler.registerConstructor(module, "_reconstruct", new Reconstruct());
            Unpickler.registerConstructor("numpy", "ndarray", new NdarrayType());
            Unpickler.registerConstructor("numpy", "dtype", new Dtype());
            // Python 3 pickles bytes at protocol ≤ 2 as _codecs.encode(str, 'latin1'). Razorvine's default maps
            // characters above U+00FF to '?'; this one refuses them, as Python does.
            Unpickler.registerConstructor("_codecs", "encode", new Latin1Encode());
            _registered = true;
        }
    }

    /// <summary><c>numpy.ndarray</c>: only ever an argument of <c>_reconstruct</c>, never called.</summary>
    private sealed class NdarrayType : IObjectConstructor
    {
        public object construct(object[] args) =>
            throw new NumpyPickleException("numpy.ndarray is called directly; numpy pickles arrays through _reconstruct");
    }

    /// <summary><c>_reconstruct(numpy.ndarray, (0,), b'b')</c>: an empty array that BUILD then fills.</summary>
    private sealed class Reconstruct : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length != 3 || args[0] is not NdarrayType)
                throw new NumpyPickleException($"numpy _reconstruct was called with {Describe.Args(args)}; expected (numpy.ndarray, shape, dtype code)");
            return new NumpyArray();
        }
    }

    private sealed class Dtype : IObjectConstructor
    {
        public object construct(object[] args) => NumpyDtype.Create(args);
    }

    private sealed class Latin1Encode : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length != 2 || args[0] is not string text || args[1] is not string encoding ||
                encoding.ToLowerInvariant() is not ("latin1" or "latin-1" or "iso-8859-1" or "iso8859-1"))
                throw new NumpyPickleException($"_codecs.encode was called with {Describe.Args(args)}; only (str, 'latin1') is accepted");
            if (text.AsSpan().ContainsAnyExceptInRange('\0', '\u00ff'))
                throw new NumpyPickleException("_codecs.encode(str, 'latin1') got characters above U+00FF");
            return System.Text.Encoding.Latin1.GetBytes(text);
        }
    }
}
