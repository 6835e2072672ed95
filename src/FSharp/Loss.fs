namespace Mlp.FSharp

open Mlp

/// Losses as pure functions of the model output (last argument): the scalar loss and `dl ↦ d output`.
[<RequireQualifiedAccess>]
module Loss =
    /// The lesson's `mean((output.squeeze(-1) − target)²)` and `dl ↦ dl·2(ŷ − y)/n`. PyTorch: `F.mse_loss`.
    let mse (target: Tensor) (output: Tensor) : Tensor * (Tensor -> Tensor) =
        let r = Mse.Forward(output, target)
        r.Output, r.Backward.Invoke

    /// Mean cross-entropy of (n, c) logits against n integer labels, and `dl ↦ dl·(softmax − onehot)/n`.
    /// PyTorch: `F.cross_entropy`.
    let crossEntropy (labels: int[]) (logits: Tensor) : Tensor * (Tensor -> Tensor) =
        let r = CrossEntropy.Forward(logits, labels)
        r.Output, r.Backward.Invoke
