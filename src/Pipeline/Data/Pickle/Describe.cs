using System.Collections;

namespace Mlp.Data.Pickle;

/// <summary>Short, Python-flavoured descriptions of unpickled values for error messages.</summary>
internal static class Describe
{
    /// <summary>e.g. "a tuple of 3", "a dict", "a str of 4 chars", "a numpy array (6, 784) float32".</summary>
    public static string Value(object? v) => v switch
    {
        null => "None",
        object[] t => $"a tuple of {t.Length}",
        NumpyDtype d => $"dtype {d}",
        NumpyArray a => $"a numpy array {Tensor.ShapeString(a.Shape)} {a.Dtype.Name}",
        string s => $"a str of {s.Length} chars",
        byte[] b => $"bytes of length {b.Length}",
        Razorvine.Pickle.Objects.ClassDict c => $"an object of class {c.ClassName}",
        IDictionary => "a dict",
        IList l => $"a list of {l.Count}",
        bool b => b ? "True" : "False",
        int or long or double => $"the number {v}",
        _ => $"a {v.GetType().Name}",
    };

    /// <summary>The values as a parenthesized list of descriptions.</summary>
    public static string Args(object[] args) => "(" + string.Join(", ", args.Select(Value)) + ")";
}
