namespace Mlp.FSharp

open Mlp

/// Layers as pure functions: each returns its output and its backward closure (a vector-Jacobian product) as an
/// F# function from the output gradient `dy` to the input gradients. Parameters come first, the input last:
/// `let y, back = x |> Layer.linear w b`.
[<RequireQualifiedAccess>]
module Layer =
    /// `y = x·w + b` and `dy ↦ (dx, dw, db)` with dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy. Weights are (in, out).
    /// PyTorch: `F.linear` (which stores w as (out, in)).
    let linear (w: Tensor) (b: Tensor) (x: Tensor) : Tensor * (Tensor -> Tensor * Tensor * Tensor) =
        let r = Linear.Forward(x, w, b)
        r.Output, (fun dy -> let g = r.Backward.Invoke dy in g.Dx, g.Dw, g.Db)

    /// `y = max(x, 0)` and `dy ↦ dy ⊙ [x > 0]` (relu'(0) = 0). PyTorch: `F.relu`.
    let relu (x: Tensor) : Tensor * (Tensor -> Tensor) =
        let r = Relu.Forward x
        r.Output, r.Backward.Invoke

    /// The lesson's `max(x, 0) + shift` and its backward (relu's). The lesson uses shift = −0.5.
    let shiftedRelu (shift: float32) (x: Tensor) : Tensor * (Tensor -> Tensor) =
        let r = ShiftedRelu.Forward(x, shift)
        r.Output, r.Backward.Invoke

    /// Row-wise `log softmax` and its backward. PyTorch: `F.log_softmax(x, dim=1)`.
    let logSoftmax (x: Tensor) : Tensor * (Tensor -> Tensor) =
        let r = LogSoftmax.Forward x
        r.Output, r.Backward.Invoke

    /// The C# form of a vjp function, for APIs that take `Func<Tensor, Vjp<Tensor>>` (such as the law kit).
    let toVjp (f: Tensor -> Tensor * (Tensor -> Tensor)) : System.Func<Tensor, Vjp<Tensor>> =
        System.Func<Tensor, Vjp<Tensor>>(fun x -> let y, back = f x in Vjp<Tensor>(y, System.Func<Tensor, Tensor> back))
