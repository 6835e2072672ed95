using System.Globalization;

namespace Mlp.Data.Pickle;

/// <summary>
/// A numpy dtype as pickled: <c>numpy.dtype('f4', align, copy)</c> then <c>__setstate__((3, '&lt;', subarray,
/// names, fields, elsize, alignment, flags[, metadata]))</c>. Only plain numeric dtypes are accepted.
/// </summary>
internal sealed class NumpyDtype
{
    private NumpyDtype(char kind, int itemSize)
    {
        Kind = kind;
        ItemSize = itemSize;
    }

    /// <summary>numpy's kind: 'f' float, 'i' signed int, 'u' unsigned int, 'b' bool.</summary>
    public char Kind { get; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>'&lt;', '>', '|' or '=' from the state; '&lt;' until <see cref="__setstate__"/> says otherwise.</summary>
    public char ByteOrder { get; private set; } = '<';

    /// <summary>True once <see cref="__setstate__"/> has run.</summary>
    public bool HasState { get; private set; }

    /// <summary>numpy's spelling, e.g. <c>&lt;f4</c>.</summary>
    public override string ToString() => $"{ByteOrder}{Kind}{ItemSize}";

    /// <summary>numpy's name, e.g. <c>float32</c>.</summary>
    public string Name => Kind switch
    {
        'f' => $"float{ItemSize * 8}",
        'i' => $"int{ItemSize * 8}",
        'u' => $"uint{ItemSize * 8}",
        'b' => "bool",
        _ => ToString(),
    };

    /// <summary><c>numpy.dtype(obj, align, copy)</c>.</summary>
    public static NumpyDtype Create(object[] args)
    {
        if (args.Length is < 1 or > 3 || args[0] is not string spec)
            throw new NumpyPickleException($"numpy.dtype was called with {Describe.Args(args)}; expected a type string such as 'f4'");
        string s = spec.Length > 0 && "<>|=".Contains(spec[0]) ? spec[1..] : spec;
        if (s.Length >= 1 && s[0] == 'O')
            throw new NumpyPickleException($"object arrays (dtype '{spec}') are refused: they hold arbitrary Python objects, not numbers");
        if (s.Length < 2 || !"fiub".Contains(s[0]) ||
            !int.TryParse(s.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size is not (1 or 2 or 4 or 8))
            throw new NumpyPickleException($"dtype '{spec}' is not supported; only numeric dtypes (float32/64, int8–64, uint8–64, bool)");
        return new NumpyDtype(s[0], size);
    }

    /// <summary>Called by Razorvine for BUILD: the dtype's state tuple.</summary>
    public void __setstate__(object[] state)
    {
        if (state.Length < 8 || state[1] is not string order || order.Length != 1)
            throw new NumpyPickleException($"dtype state {Describe.Args(state)} is not numpy's (version, byteorder, subarray, names, fields, elsize, alignment, flags)");
        if (state[2] != null || state[3] != null || state[4] != null)
            throw new NumpyPickleException($"structured or sub-array dtypes are not supported (dtype {this})");
        ByteOrder = order[0] == '=' ? (BitConverter.IsLittleEndian ? '<' : '>') : order[0];
        if (ByteOrder == '>' && ItemSize > 1)
            throw new NumpyPickleException($"big-endian arrays (dtype '>{Kind}{ItemSize}') are refused; convert with x.astype(x.dtype.newbyteorder('<')) before pickling");
        if (ByteOrder is not ('<' or '>' or '|'))
            throw new NumpyPickleException($"dtype byte order '{order}' is not numpy's");
        HasState = true;
    }
}
