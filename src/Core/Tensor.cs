using System.Numerics.Tensors;

namespace Mlp;

/// <summary>Fills a freshly allocated buffer before it is published as a tensor.</summary>
/// <param name="buffer">The tensor's storage, row-major, of length equal to the product of the shape.</param>
public delegate void TensorFiller(Span<float> buffer);

/// <summary>
/// An immutable, row-major float32 tensor of any rank (rank 0 is a scalar). PyTorch: <c>torch.Tensor</c>
/// with <c>dtype=torch.float32</c>, without in-place operations.
/// </summary>
/// <remarks>
/// A tensor is a value: once constructed its shape and data never change, so it can be shared freely
/// between threads and tapes. Every operation returns a new tensor. Gradients are never stored on a
/// tensor; they are returned by backward closures and by <see cref="Tape.Backward(Node)"/>.
/// </remarks>
public sealed partial class Tensor
{
    // Internal code may fill these arrays only before the tensor is handed to anyone else.
    internal readonly float[] Data;
    internal readonly int[] Dims;
    // The public view of Dims: a wrapper, so a caller cannot cast Shape back to int[] and reshape the tensor.
    private readonly System.Collections.ObjectModel.ReadOnlyCollection<int> shape;

    /// <summary>Wraps <paramref name="data"/> without copying. The caller gives up the array.</summary>
    internal Tensor(float[] data, int[] dims)
    {
        Data = data;
        Dims = dims;
        shape = Array.AsReadOnly(dims);
    }

    /// <summary>The tensor's shape (PyTorch: <c>shape</c>). Empty for a scalar. A read-only view: it cannot be cast back to an array.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of dimensions (PyTorch: <c>dim()</c>).</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements (PyTorch: <c>numel()</c>).</summary>
    public int Length => Data.Length;

    /// <summary>The size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The dimension does not exist.</exception>
    public int Size(int dim) => Dims[NormalizeDim(dim, Rank, nameof(dim))];

    /// <summary>The elements in row-major order, read-only and without a copy.</summary>
    public ReadOnlySpan<float> AsSpan() => Data;

    /// <summary>
    /// A copy of the elements in row-major order as memory (usable from F# and async code). It is a copy because
    /// memory over the tensor's own storage could be turned back into a writable array
    /// (<c>MemoryMarshal.TryGetArray</c>); use <see cref="AsSpan"/> to read without copying.
    /// </summary>
    public ReadOnlyMemory<float> AsMemory() => (float[])Data.Clone();

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>A copy of the shape.</summary>
    public int[] ShapeArray() => (int[])Dims.Clone();

    /// <summary>The value of a one-element tensor (PyTorch: <c>item()</c>).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public float ToScalar()
    {
        if (Data.Length != 1)
            throw new InvalidOperationException($"ToScalar() needs a tensor with one element; this one has shape {ShapeString(Dims)} ({Data.Length} elements).");
        return Data[0];
    }

    /// <summary>The element of a rank-1 tensor at <paramref name="i"/>.</summary>
    public float this[int i] => Data[FlatIndex([i])];

    /// <summary>The element of a rank-2 tensor at row <paramref name="i"/>, column <paramref name="j"/>.</summary>
    public float this[int i, int j] => Data[FlatIndex([i, j])];

    /// <summary>The element of a rank-3 tensor at (<paramref name="i"/>, <paramref name="j"/>, <paramref name="k"/>).</summary>
    public float this[int i, int j, int k] => Data[FlatIndex([i, j, k])];

    /// <summary>The element at a full index of any rank; negative indices count from the end.</summary>
    /// <exception cref="ArgumentException">The index has the wrong rank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside its dimension.</exception>
    public float GetValue(int[] index) => Data[FlatIndex(index)];

    private int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Index of rank {index.Length} used on a tensor of shape {ShapeString(Dims)}.", nameof(index));
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d];
            if (i < 0) i += Dims[d];
            if ((uint)i >= (uint)Dims[d])
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {index[d]} is out of range for dimension {d} of shape {ShapeString(Dims)}.");
            flat = flat * Dims[d] + i;
        }
        return flat;
    }

    // ---------------------------------------------------------------- factories

    /// <summary>A tensor with a copy of <paramref name="data"/> and the given shape (PyTorch: <c>torch.tensor(data).reshape(shape)</c>).</summary>
    /// <param name="data">Row-major elements; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The length of <paramref name="data"/> does not match the shape, or a dimension is negative.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] dims = CheckShape(shape);
        long n = Numel(dims);
        if (n != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill shape {ShapeString(dims)} ({n} elements).", nameof(data));
        return new Tensor((float[])data.Clone(), dims);
    }

    /// <summary>A rank-1 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromVector(float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor((float[])data.Clone(), [data.Length]);
    }

    /// <summary>A tensor with a copy of the elements of <paramref name="data"/> and the given shape.</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="data"/> does not match the shape.</exception>
    public static Tensor FromMemory(ReadOnlyMemory<float> data, int[] shape)
    {
        int[] dims = CheckShape(shape);
        long n = Numel(dims);
        if (n != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill shape {ShapeString(dims)} ({n} elements).", nameof(data));
        return new Tensor(data.ToArray(), dims);
    }

    /// <summary>A 2-D tensor from rows of equal length (PyTorch: <c>torch.tensor([[...], ...])</c>).</summary>
    /// <exception cref="ArgumentException">The rows have different lengths or one is null.</exception>
    public static Tensor FromRows(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (int i = 0; i < rows.Length; i++)
            if (rows[i] is null) throw new ArgumentException($"Row {i} is null.", nameof(rows));
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var data = new float[checked(rows.Length * cols)];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != cols)
                throw new ArgumentException($"Row {i} has {rows[i].Length} values but row 0 has {cols}.", nameof(rows));
            rows[i].CopyTo(data, i * cols);
        }
        return new Tensor(data, [rows.Length, cols]);
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/> (PyTorch: <c>torch.tensor(value)</c>).</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>A tensor of the given shape filled with <paramref name="value"/> (PyTorch: <c>torch.full</c>).</summary>
    public static Tensor Full(int[] shape, float value)
    {
        int[] dims = CheckShape(shape);
        var data = AllocateFor(dims);
        if (BitConverter.SingleToInt32Bits(value) != 0) data.AsSpan().Fill(value); // -0f is not +0f: keep its sign bit
        return new Tensor(data, dims);
    }

    /// <summary>A tensor of zeros (PyTorch: <c>torch.zeros</c>).</summary>
    public static Tensor Zeros(params int[] shape) => Full(shape, 0f);

    /// <summary>A tensor of ones (PyTorch: <c>torch.ones</c>).</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);

    /// <summary>A tensor of zeros with the shape of <paramref name="like"/> (PyTorch: <c>torch.zeros_like</c>).</summary>
    public static Tensor ZerosLike(Tensor like) => Full(like.Dims, 0f);

    /// <summary>
    /// Allocates a tensor of the given shape and lets <paramref name="fill"/> write its elements before it is
    /// published. The buffer starts zeroed. This is how kernels create tensors without an extra copy.
    /// </summary>
    public static Tensor Create(int[] shape, TensorFiller fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        int[] dims = CheckShape(shape);
        var data = AllocateFor(dims);
        fill(data);
        return new Tensor(data, dims);
    }

    /// <summary>Integers 0, 1, …, n−1 as floats (PyTorch: <c>torch.arange(n)</c>).</summary>
    public static Tensor Arange(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = i;
        return new Tensor(data, [n]);
    }

    // ---------------------------------------------------------------- helpers

    internal static float[] AllocateFor(int[] dims) => Storage.Zeroed(checked((int)Numel(dims)));

    internal static long Numel(ReadOnlySpan<int> dims)
    {
        long n = 1;
        foreach (int d in dims) n *= d;
        return n;
    }

    internal static int[] CheckShape(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {ShapeString(shape)} has a negative dimension.", nameof(shape));
            n *= d;
            if (n > Array.MaxLength)
                throw new ArgumentException($"Shape {ShapeString(shape)} has more elements than an array can hold.", nameof(shape));
        }
        return (int[])shape.Clone();
    }

    internal static int NormalizeDim(int dim, int rank, string paramName)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new ArgumentOutOfRangeException(paramName, $"Dimension {dim} is out of range for a tensor of rank {rank}.");
        return d;
    }

    /// <summary>Formats a shape as PyTorch does, e.g. <c>(50000, 784)</c>.</summary>
    public static string ShapeString(IReadOnlyList<int> shape) => "(" + string.Join(", ", shape) + (shape.Count == 1 ? ",)" : ")");

    /// <summary>True when both tensors have the same shape.</summary>
    public bool SameShape(Tensor other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <summary>
    /// True when every element satisfies <c>|a − b| ≤ atol + rtol·|b|</c> and the shapes are equal
    /// (PyTorch: <c>torch.allclose</c>). NaNs compare unequal.
    /// </summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!SameShape(other)) return false;
        for (int i = 0; i < Data.Length; i++)
        {
            double a = Data[i], b = other.Data[i];
            if (!(Math.Abs(a - b) <= atol + rtol * Math.Abs(b))) return false;
        }
        return true;
    }

    /// <summary>The largest absolute element-wise difference to <paramref name="other"/> (NaN if either has a NaN).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public float MaxAbsDiff(Tensor other)
    {
        RequireSameShape(other, nameof(MaxAbsDiff));
        float max = 0f;
        for (int i = 0; i < Data.Length; i++)
        {
            float d = MathF.Abs(Data[i] - other.Data[i]);
            if (float.IsNaN(d)) return float.NaN;
            if (d > max) max = d;
        }
        return max;
    }

    internal void RequireSameShape(Tensor other, string op)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!SameShape(other))
            throw new ArgumentException($"{op}: shapes {ShapeString(Dims)} and {ShapeString(other.Dims)} differ.");
    }
}
