namespace Mlp.FSharp

open Mlp

/// Layers as pure functions: each returns its output and its backward closure (a vector-Jacobian product) as an
/// F# function from the output gradient `dy` to the input gradients. Parameters come first, the input last:
/// `let y, back = x |> Layer.linear w b`.
[<RequireQualifiedAccess>]
module Layer =
    // A C# vjp of one tensor as the F# pair (output, backward function).
    let private ofVjp (r: Vjp<Tensor>) : Tensor * (Tensor -> Tensor) = r.Output, r.Backward.Invoke

    /// `y = x·w + b` and `dy ↦ (dx, dw, db)` with dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy. Weights are (in, out).
    /// PyTorch: `F.linear` (which stores w as (out, in)).
    let linear (w: Tensor) (b: Tensor) (x: Tensor) : Tensor * (Tensor -> Tensor * Tensor * Tensor) =
        let r = Linear.Forward(x, w, b)
        r.Output, (fun dy -> let g = r.Backward.Invoke dy in g.Dx, g.Dw, g.Db)

    /// `y = max(x, 0)` and `dy ↦ dy ⊙ [x > 0]` (relu'(0) = 0). PyTorch: `F.relu`.
    let relu (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Relu.Forward x)

    /// The lesson's `max(x, 0) + shift` and its backward (relu's). The lesson uses shift = −0.5.
    let shiftedRelu (shift: float32) (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (ShiftedRelu.Forward(x, shift))

    /// Row-wise `log softmax` and its backward. PyTorch: `F.log_softmax(x, dim=1)`.
    let logSoftmax (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (LogSoftmax.Forward x)

    /// `y = tanh x` and `dy ↦ dy ⊙ (1 − y²)`. PyTorch: `torch.tanh`.
    let tanh (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Tanh.Forward x)

    /// `y = 1/(1 + e^(−x))` and `dy ↦ dy ⊙ y(1 − y)`. PyTorch: `torch.sigmoid`.
    let sigmoid (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Sigmoid.Forward x)

    /// Exact GELU `x·Φ(x)` and its backward. PyTorch: `F.gelu(x)`.
    let gelu (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Gelu.Forward(x, GeluApproximation.None))

    /// GELU's tanh approximation and its backward. PyTorch: `F.gelu(x, approximate='tanh')`.
    let geluTanh (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Gelu.Forward(x, GeluApproximation.Tanh))

    /// Row-wise softmax and `dy ↦ y ⊙ (dy − Σ dy⊙y)`. PyTorch: `F.softmax(x, dim=1)`.
    let softmax (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Softmax.Forward x)

    /// Leaky relu `x > 0 ? x : slope·x` and its backward. PyTorch: `F.leaky_relu(x, slope)`.
    let leakyRelu (slope: float32) (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (LeakyRelu.Forward(x, slope))

    /// Dropout with a fixed 0/1 `keep` pattern (e.g. from `Dropout.Keep`): `x ⊙ keep/(1 − p)` and the same scaling backward.
    /// PyTorch: `F.dropout(x, p, training=True)` with the mask it drew.
    let dropout (p: float) (keep: Tensor) (x: Tensor) : Tensor * (Tensor -> Tensor) =
        ofVjp (Dropout.Forward(x, keep, p))

    /// BatchNorm1d in training mode with PyTorch's eps 1e-5 and momentum 0.1: the output, `dy ↦ (dx, dweight, dbias)`,
    /// and the running statistics after this batch (the ones passed in are not changed). PyTorch: `nn.BatchNorm1d(c).train()`.
    let batchNorm1d (weight: Tensor) (bias: Tensor) (stats: BatchNorm1d.Stats) (x: Tensor)
        : Tensor * (Tensor -> Tensor * Tensor * Tensor) * BatchNorm1d.Stats =
        let r = BatchNorm1d.Train(x, weight, bias, stats, System.Nullable BatchNorm1d.DefaultMomentum, BatchNorm1d.DefaultEps)
        r.Vjp.Output, (fun dy -> let g = r.Vjp.Backward.Invoke dy in g.Dx, g.Dweight, g.Dbias), r.Stats

    /// BatchNorm1d in evaluation mode (the running statistics, eps 1e-5): the output and `dy ↦ (dx, dweight, dbias)`.
    let batchNorm1dEval (weight: Tensor) (bias: Tensor) (stats: BatchNorm1d.Stats) (x: Tensor) : Tensor * (Tensor -> Tensor * Tensor * Tensor) =
        let r = BatchNorm1d.Eval(x, weight, bias, stats, BatchNorm1d.DefaultEps)
        r.Output, (fun dy -> let g = r.Backward.Invoke dy in g.Dx, g.Dweight, g.Dbias)

    /// The C# form of a vjp function, for APIs that take `Func<Tensor, Vjp<Tensor>>` (such as the law kit).
    let toVjp (f: Tensor -> Tensor * (Tensor -> Tensor)) : System.Func<Tensor, Vjp<Tensor>> =
        System.Func<Tensor, Vjp<Tensor>>(fun x -> let y, back = f x in Vjp<Tensor>(y, System.Func<Tensor, Tensor> back))
