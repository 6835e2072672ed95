using System.Collections;
using System.Runtime.InteropServices;

namespace Mlp.Data.Pickle;

/// <summary>
/// A numpy array as pickled: <c>_reconstruct(ndarray, (0,), b'b')</c> makes an empty one, then BUILD calls
/// <c>__setstate__((version, shape, dtype, is_fortran, rawdata))</c>. The raw data is <c>bytes</c> in a Python 3
/// pickle and a <c>str</c> (one char per byte, as <c>encoding='latin-1'</c> reads it) in a Python 2 pickle.
/// Fortran order, big-endian and object arrays are refused; the data length must match shape × itemsize exactly.
/// </summary>
internal sealed class NumpyArray
{
    private object _data = Array.Empty<byte>();   // byte[] or string (latin-1, one char per byte)

    /// <summary>The dimensions.</summary>
    public int[] Shape { get; private set; } = [0];

    /// <summary>The element type.</summary>
    public NumpyDtype Dtype { get; private set; } = null!;

    /// <summary>True once <see cref="__setstate__"/> has filled the array.</summary>
    public bool HasState { get; private set; }

    /// <summary>The number of elements.</summary>
    public long Count { get; private set; }

    /// <summary>Called by Razorvine for BUILD.</summary>
    public void __setstate__(object[] state)
    {
        // numpy ≥ 1.? writes (version, shape, dtype, is_fortran, data); very old numpy leaves out the version.
        object[] s = state.Length switch
        {
            5 => state[1..],
            4 => state,
            _ => throw new NumpyPickleException($"ndarray state {Describe.Args(state)} is not numpy's (version, shape, dtype, is_fortran, data)"),
        };
        if (s[0] is not object[] shape) throw new NumpyPickleException($"ndarray shape is {Describe.Value(s[0])}, not a tuple");
        if (s[1] is not NumpyDtype dtype || !dtype.HasState) throw new NumpyPickleException($"ndarray dtype is {Describe.Value(s[1])}, not a numpy dtype");
        bool fortran = s[2] switch { bool b => b, int i => i != 0, long l => l != 0, _ => throw new NumpyPickleException($"ndarray is_fortran flag is {Describe.Value(s[2])}") };

        var dims = new int[shape.Length];
        Int128 count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = shape[i] switch { int v => v, long v => v, _ => -1 };
            if (d < 0 || d > int.MaxValue) throw new NumpyPickleException($"ndarray shape {Describe.Args(shape)} has an invalid dimension {shape[i]}");
            dims[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength) throw new NumpyPickleException($"ndarray shape {Tensor.ShapeString(dims[..(i + 1)])}… has more elements than one array can hold");
        }
        if (fortran && dims.Count(d => d > 1) > 1)
            throw new NumpyPickleException($"Fortran-order arrays are refused (shape {Tensor.ShapeString(dims)}); pickle np.ascontiguousarray(x) instead");

        long length = s[3] switch
        {
            byte[] b => b.Length,
            string str => str.Length,
            IList => throw new NumpyPickleException("the array's data is a list of Python objects (an object array); it is refused"),
            var other => throw new NumpyPickleException($"the array's data is {Describe.Value(other)}, not bytes"),
        };
        Int128 expected = count * dtype.ItemSize;
        if (expected != length)
            throw new NumpyPickleException($"an array of shape {Tensor.ShapeString(dims)} and dtype {dtype.Name} needs {expected} bytes but the pickle holds {length}");
        if (s[3] is string latin && latin.AsSpan().ContainsAnyExceptInRange('\0', '\u00ff'))
            throw new NumpyPickleException("the array's data is a str with characters above U+00FF; it is not latin-1 encoded bytes");

        Shape = dims;
        Dtype = dtype;
        Count = (long)count;
        _data = s[3];
        HasState = true;
    }

    /// <summary>Copies the raw little-endian element bytes into <paramref name="destination"/> (exactly Count × ItemSize bytes).</summary>
    public void CopyBytesTo(Span<byte> destination)
    {
        if (_data is byte[] b) b.CopyTo(destination);
        else
        {
            // Latin-1: each char is one byte (checked ≤ U+00FF in __setstate__, so the encoding is exact).
            System.Text.Encoding.Latin1.GetBytes(((string)_data).AsSpan(), destination);
        }
    }

    /// <summary>The elements as float32 (float64 is narrowed); the caller checks the dtype is a float.</summary>
    public float[] ToSingles()
    {
        var result = new float[Count];
        if (Dtype is { Kind: 'f', ItemSize: 4 })
            CopyBytesTo(MemoryMarshal.AsBytes(result.AsSpan()));
        else if (Dtype is { Kind: 'f', ItemSize: 8 })
        {
            var doubles = new double[Count];
            CopyBytesTo(MemoryMarshal.AsBytes(doubles.AsSpan()));
            for (int i = 0; i < doubles.Length; i++) result[i] = (float)doubles[i];
        }
        else throw new InvalidOperationException($"ToSingles on dtype {Dtype}");
        return result;
    }

    /// <summary>The elements as int64; the caller checks the dtype is int32 or int64.</summary>
    public long[] ToInt64s()
    {
        var result = new long[Count];
        if (Dtype is { Kind: 'i', ItemSize: 8 })
            CopyBytesTo(MemoryMarshal.AsBytes(result.AsSpan()));
        else if (Dtype is { Kind: 'i', ItemSize: 4 })
        {
            var ints = new int[Count];
            CopyBytesTo(MemoryMarshal.AsBytes(ints.AsSpan()));
            for (int i = 0; i < ints.Length; i++) result[i] = ints[i];
        }
        else throw new InvalidOperationException($"ToInt64s on dtype {Dtype}");
        return result;
    }
}
