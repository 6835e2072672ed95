using Mlp.Kernels;

namespace Mlp;

/// <summary>Matrix products, the lesson's three weight-gradient forms, and row reductions.</summary>
public static partial class Ops
{
    /// <summary>
    /// <c>op(a)·op(b)</c> for 2-D tensors, where <c>op</c> transposes when the flag is set, without
    /// materializing the transpose (PyTorch: <c>a @ b</c>, <c>a.t() @ b</c>, <c>a @ b.t()</c>).
    /// </summary>
    /// <param name="a">(m, k), or (k, m) when <paramref name="transposeA"/>.</param>
    /// <param name="b">(k, n), or (n, k) when <paramref name="transposeB"/>.</param>
    /// <param name="transposeA">Use <c>aᵀ</c>.</param>
    /// <param name="transposeB">Use <c>bᵀ</c>.</param>
    /// <returns>(m, n).</returns>
    /// <exception cref="ArgumentException">An operand is not 2-D or the inner dimensions differ; the message names both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA, bool transposeB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2)
            throw new ArgumentException($"MatMul needs 2-D tensors; got {Tensor.ShapeString(a.Dims)} and {Tensor.ShapeString(b.Dims)}.");
        int m = transposeA ? a.Dims[1] : a.Dims[0];
        int k = transposeA ? a.Dims[0] : a.Dims[1];
        int kb = transposeB ? b.Dims[1] : b.Dims[0];
        int n = transposeB ? b.Dims[0] : b.Dims[1];
        if (k != kb)
            throw new ArgumentException(
                $"MatMul: {(transposeA ? "transposed " : "")}{Tensor.ShapeString(a.Dims)} · {(transposeB ? "transposed " : "")}{Tensor.ShapeString(b.Dims)}: inner dimensions {k} and {kb} differ.");
        var c = Storage.Uninitialized(checked(m * n)); // the GEMM writes every element
        Gemm.Multiply(transposeA, transposeB, m, n, k, a.Data, b.Data, c);
        return new Tensor(c, [m, n]);
    }

    /// <summary><c>a·b</c> for 2-D tensors (PyTorch: <c>a @ b</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not multiply; the message names both.</exception>
    public static Tensor MatMul(Tensor a, Tensor b) => MatMul(a, b, false, false);

    /// <summary>Σ over rows: (n, m) → (m) (PyTorch: <c>dy.sum(0)</c>). The bias gradient.</summary>
    public static Tensor SumRows(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Sum(0);
    }

    /// <summary>
    /// The lesson's first weight-gradient form, literally: <c>(x.unsqueeze(-1) * dy.unsqueeze(1)).sum(0)</c>.
    /// Materializes a (b, i, j) tensor; kept for tests and the speed ladder, not for training.
    /// </summary>
    /// <exception cref="ArgumentException">x and dy are not 2-D with the same number of rows.</exception>
    public static Tensor OuterProductSum(Tensor x, Tensor dy)
    {
        RequireRowPair(x, dy, nameof(OuterProductSum));
        return (x.Unsqueeze(-1) * dy.Unsqueeze(1)).Sum(0);
    }

    internal static void RequireRowPair(Tensor x, Tensor dy, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dy);
        if (x.Rank != 2 || dy.Rank != 2 || x.Dims[0] != dy.Dims[0])
            throw new ArgumentException($"{op}: needs (b, i) and (b, j); got {Tensor.ShapeString(x.Dims)} and {Tensor.ShapeString(dy.Dims)}.");
    }

    /// <summary><c>a · b</c> (PyTorch: <c>a @ b</c>) as an instance method for chains.</summary>
    public static Tensor Dot(this Tensor a, Tensor b) => MatMul(a, b, false, false);
}
