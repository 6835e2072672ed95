namespace Mlp.FSharp

open Mlp

/// Immutable float32 tensors (Mlp.Tensor) with curried, data-last functions: `x |> Tensor.matmul w |> Tensor.add b`.
/// Binary functions take the tensor being piped last, so `x |> Tensor.sub y` is `x − y`.
[<RequireQualifiedAccess>]
module Tensor =
    /// A tensor of the given shape holding a copy of `data` (row-major). PyTorch: `torch.tensor(data).reshape(shape)`.
    let ofArray (shape: int[]) (data: float32[]) : Tensor = Tensor.FromArray(data, shape)

    /// A 2-D tensor from rows of equal length. PyTorch: `torch.tensor([[...], ...])`.
    let ofRows (rows: float32[][]) : Tensor = Tensor.FromRows rows

    /// A rank-0 tensor. PyTorch: `torch.tensor(v)`.
    let scalar (v: float32) : Tensor = Tensor.Scalar v

    /// Zeros of the given shape. PyTorch: `torch.zeros`.
    let zeros (shape: int[]) : Tensor = Tensor.Zeros shape

    /// Ones of the given shape. PyTorch: `torch.ones`.
    let ones (shape: int[]) : Tensor = Tensor.Ones shape

    /// Standard normal samples from `rng`. PyTorch: `torch.randn`.
    let randn (rng: Rng) (shape: int[]) : Tensor = rng.Normal shape

    /// The shape, e.g. `[| 50000; 784 |]`.
    let shape (t: Tensor) : int[] = t.ShapeArray()

    /// A copy of the elements in row-major order.
    let toArray (t: Tensor) : float32[] = t.ToArray()

    /// The value of a one-element tensor. PyTorch: `item()`.
    let item (t: Tensor) : float32 = t.ToScalar()

    /// `a + b` with broadcasting, data-last: `a |> Tensor.add b`.
    let add (b: Tensor) (a: Tensor) : Tensor = a + b

    /// `a − b` with broadcasting, data-last: `a |> Tensor.sub b`.
    let sub (b: Tensor) (a: Tensor) : Tensor = a - b

    /// `a ⊙ b` with broadcasting, data-last.
    let mul (b: Tensor) (a: Tensor) : Tensor = a * b

    /// `a / b` with broadcasting, data-last.
    let div (b: Tensor) (a: Tensor) : Tensor = a / b

    /// `a · s` for a scalar s.
    let scale (s: float32) (a: Tensor) : Tensor = a * s

    /// `a · b` for 2-D tensors, data-last: `x |> Tensor.matmul w` is `x·w`. PyTorch: `a @ b`.
    let matmul (b: Tensor) (a: Tensor) : Tensor = Ops.MatMul(a, b)

    /// The transpose of a 2-D tensor. PyTorch: `t()`.
    let transpose (t: Tensor) : Tensor = t.Transpose()

    /// The same elements with a new shape (one dimension may be −1). PyTorch: `reshape`.
    let reshape (shape: int[]) (t: Tensor) : Tensor = t.Reshape shape

    /// Removes dimension `dim` if its size is 1. PyTorch: `squeeze(dim)`.
    let squeeze (dim: int) (t: Tensor) : Tensor = t.Squeeze dim

    /// Inserts a dimension of size 1 at `dim`. PyTorch: `unsqueeze(dim)`.
    let unsqueeze (dim: int) (t: Tensor) : Tensor = t.Unsqueeze dim

    /// Rows `start … start+count−1`. PyTorch: `x[start:start+count]`.
    let rows (start: int) (count: int) (t: Tensor) : Tensor = t.Rows(start, count)

    /// The mean of all elements as a float. PyTorch: `mean().item()`.
    let mean (t: Tensor) : float32 = t.Mean().ToScalar()

    /// The Bessel-corrected standard deviation of all elements as a float. PyTorch: `std().item()`.
    let std (t: Tensor) : float32 = t.Std().ToScalar()

    /// The sum of all elements as a float. PyTorch: `sum().item()`.
    let sum (t: Tensor) : float32 = t.Sum().ToScalar()

    /// Sum over `axis`. PyTorch: `sum(axis)`.
    let sumAxis (axis: int) (t: Tensor) : Tensor = t.Sum axis

    /// Mean over `axis`. PyTorch: `mean(axis)`.
    let meanAxis (axis: int) (t: Tensor) : Tensor = t.Mean axis

    /// `max(x, min)` element-wise. PyTorch: `clamp_min`.
    let clampMin (min: float32) (t: Tensor) : Tensor = t.ClampMin min

    /// Hyperbolic tangent element-wise. PyTorch: `tanh`.
    let tanh (t: Tensor) : Tensor = t.Tanh()

    /// `eˣ` element-wise. PyTorch: `exp`.
    let exp (t: Tensor) : Tensor = t.Exp()

    /// The index of the largest entry of each row. PyTorch: `argmax(1)`.
    let argMaxRows (t: Tensor) : int[] = t.ArgMaxRows()

    /// The largest absolute element-wise difference (NaN if either has a NaN).
    let maxAbsDiff (b: Tensor) (a: Tensor) : float32 = a.MaxAbsDiff b

    /// `|a − b| ≤ atol + rtol·|b|` everywhere and equal shapes. PyTorch: `torch.allclose(a, b, rtol, atol)`.
    let allClose (rtol: float) (atol: float) (b: Tensor) (a: Tensor) : bool = a.AllClose(b, rtol, atol)
