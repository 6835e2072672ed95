using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Mlp.Numpy;

/// <summary>
/// An immutable n-dimensional numpy array as stored in a <c>.npy</c> file: a dtype, a C-order shape and the
/// little-endian element bytes (numpy: <c>np.ndarray</c>; PyTorch: what <c>torch.from_numpy</c> wraps).
/// </summary>
/// <remarks>
/// Converts to an Mlp <see cref="Tensor"/> (float32) with <see cref="ToTensor"/>, and to .NET arrays with
/// <see cref="ToDoubleArray"/> and <see cref="ToInt64Array"/>. A rank-0 array (shape <c>()</c>) holds one element.
/// </remarks>
public sealed class NpyArray
{
    private readonly byte[] bytes;
    private readonly int[] dims;

    static NpyArray()
    {
        // .npy data is little-endian and is reinterpreted in place; every platform .NET 10 runs on is little-endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Mlp.Numpy needs a little-endian machine.");
    }

    /// <summary>Wraps <paramref name="bytes"/> without copying; the caller gives it up and has checked the sizes.</summary>
    internal NpyArray(NpyDType dtype, int[] dims, byte[] bytes)
    {
        DType = dtype;
        this.dims = dims;
        this.bytes = bytes;
    }

    /// <summary>The element type (numpy: <c>dtype</c>).</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions in C order (numpy: <c>shape</c>); empty for a rank-0 array.</summary>
    public IReadOnlyList<int> Shape => dims;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray() => (int[])dims.Clone();

    /// <summary>The number of elements (numpy: <c>size</c>).</summary>
    public int Length => bytes.Length / DType.ItemSize();

    /// <summary>The raw little-endian element bytes, read-only.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>
    /// The array as a float32 tensor of the same shape (PyTorch: <c>torch.from_numpy(a).float()</c>). float64 values
    /// are rounded to nearest; integers are converted (int64 beyond 2²⁴ loses precision, as in PyTorch).
    /// </summary>
    public Tensor ToTensor()
    {
        var data = new float[Length];
        switch (DType)
        {
            case NpyDType.Float32: MemoryMarshal.Cast<byte, float>(bytes).CopyTo(data); break;
            case NpyDType.Float64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(bytes), data.AsSpan()); break;
            case NpyDType.Int64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(bytes), data.AsSpan()); break;
            case NpyDType.Int32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(bytes), data.AsSpan()); break;
            case NpyDType.UInt8: TensorPrimitives.ConvertTruncating((ReadOnlySpan<byte>)bytes, data.AsSpan()); break;
        }
        return new Tensor(data, (int[])dims.Clone());
    }

    /// <summary>The elements as doubles, in C order (numpy: <c>a.astype(np.float64).ravel()</c>). Exact except int64 beyond 2⁵³.</summary>
    public double[] ToDoubleArray()
    {
        var data = new double[Length];
        switch (DType)
        {
            case NpyDType.Float32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, float>(bytes), data.AsSpan()); break;
            case NpyDType.Float64: MemoryMarshal.Cast<byte, double>(bytes).CopyTo(data); break;
            case NpyDType.Int64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(bytes), data.AsSpan()); break;
            case NpyDType.Int32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(bytes), data.AsSpan()); break;
            case NpyDType.UInt8: TensorPrimitives.ConvertTruncating((ReadOnlySpan<byte>)bytes, data.AsSpan()); break;
        }
        return data;
    }

    /// <summary>The elements of an integer array as <see cref="long"/>, in C order (numpy: <c>a.astype(np.int64).ravel()</c>).</summary>
    /// <exception cref="InvalidOperationException">The array holds floats; the message names its dtype.</exception>
    public long[] ToInt64Array()
    {
        var data = new long[Length];
        switch (DType)
        {
            case NpyDType.Int64: MemoryMarshal.Cast<byte, long>(bytes).CopyTo(data); break;
            case NpyDType.Int32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(bytes), data.AsSpan()); break;
            case NpyDType.UInt8: TensorPrimitives.ConvertTruncating((ReadOnlySpan<byte>)bytes, data.AsSpan()); break;
            default: throw new InvalidOperationException($"ToInt64Array needs an integer array; this one is {DType.Descr()} with shape {Tensor.ShapeString(dims)}. Use ToDoubleArray or ToTensor.");
        }
        return data;
    }

    // ---------------------------------------------------------------- factories

    /// <summary>A float32 array with a copy of the tensor's elements and shape (PyTorch: <c>t.numpy()</c>).</summary>
    public static NpyArray FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new(NpyDType.Float32, tensor.ShapeArray(), MemoryMarshal.AsBytes(tensor.AsSpan()).ToArray());
    }

    /// <summary>A <c>&lt;f4</c> array with a copy of <paramref name="data"/> (C order) and shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray FromFloat32(float[] data, int[] shape) => From<float>(NpyDType.Float32, data, shape);

    /// <summary>A <c>&lt;f8</c> array with a copy of <paramref name="data"/> (C order) and shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray FromFloat64(double[] data, int[] shape) => From<double>(NpyDType.Float64, data, shape);

    /// <summary>A <c>&lt;i8</c> array with a copy of <paramref name="data"/> (C order) and shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray FromInt64(long[] data, int[] shape) => From<long>(NpyDType.Int64, data, shape);

    /// <summary>A <c>&lt;i4</c> array with a copy of <paramref name="data"/> (C order) and shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray FromInt32(int[] data, int[] shape) => From<int>(NpyDType.Int32, data, shape);

    /// <summary>A <c>|u1</c> array with a copy of <paramref name="data"/> (C order) and shape <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray FromUInt8(byte[] data, int[] shape) => From<byte>(NpyDType.UInt8, data, shape);

    private static NpyArray From<T>(NpyDType dtype, T[] data, int[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Tensor.ShapeString(shape)} has a negative dimension.", nameof(shape));
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"Shape {Tensor.ShapeString(shape)} has more elements than an array can hold.", nameof(shape));
        }
        if (n != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill shape {Tensor.ShapeString(shape)} ({n} elements).", nameof(data));
        return new(dtype, (int[])shape.Clone(), MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
    }

    /// <inheritdoc/>
    public override string ToString() => $"NpyArray {DType.Descr()} {Tensor.ShapeString(dims)}";
}
