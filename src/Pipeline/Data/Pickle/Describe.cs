using Mlp.Numpy;

namespace Mlp.Data.Pickle;

/// <summary>Short, Python-flavoured descriptions of unpickled values for error messages.</summary>
internal static class Describe
{
    /// <summary>e.g. "a tuple of 3", "a str of 4 chars", "a numpy array (6, 784) float32".</summary>
    public static string Value(object? v) => v switch
    {
        null => "None",
        object?[] t => $"a tuple of {t.Length}",
        NumpyUnpickler.PendingDtype d => $"dtype '{d.Spec}'",
        NumpyUnpickler.PendingArray => "an unfinished numpy array (no BUILD)",
        NpyArray a => $"a numpy array {Tensor.ShapeString(a.ShapeArray())} {a.DType.Name()}",
        NumpyUnpickler.Global g => $"the global {g.Full}",
        string s => $"a str of {s.Length} chars",
        NumpyUnpickler.LongText t => $"a str of {t.Utf8.Length} UTF-8 bytes",
        NumpyUnpickler.Bytes { Py2Str: true } b => $"a Python 2 str of {b.Data.Length} bytes",
        NumpyUnpickler.Bytes b => $"bytes of length {b.Data.Length}",
        bool b => b ? "True" : "False",
        long => $"the number {v}",
        _ => $"a {v.GetType().Name}",
    };

    /// <summary>The values as a parenthesized list of descriptions.</summary>
    public static string Args(object?[] args) => "(" + string.Join(", ", args.Select(Value)) + ")";
}
