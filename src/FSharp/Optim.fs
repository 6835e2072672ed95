namespace Mlp.FSharp

open Mlp.Models
open Mlp.Optim

/// Optimizers as pure functions `(parameters, state) -> (parameters', state')`.
[<RequireQualifiedAccess>]
module Optim =
    /// Plain SGD. PyTorch: `optim.SGD(lr=lr)`.
    let sgd (lr: float32) : IOptimizer = Sgd lr

    /// SGD with momentum. PyTorch: `optim.SGD(lr=lr, momentum=momentum)`.
    let sgdMomentum (lr: float32) (momentum: float32) : IOptimizer = Sgd(lr, Momentum = momentum)

    /// SGD with Nesterov momentum. PyTorch: `optim.SGD(lr=lr, momentum=momentum, nesterov=True)`.
    let nesterov (lr: float32) (momentum: float32) : IOptimizer = Sgd(lr, Momentum = momentum, Nesterov = true)

    /// Adam with PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8). PyTorch: `optim.Adam(lr=lr)`.
    let adam (lr: float32) : IOptimizer = Adam lr

    /// The state before the first step.
    let init (parameters: Parameters) (optimizer: IOptimizer) : OptimizerState = optimizer.Init parameters

    /// One update, data-last: `(p, state) |> Optim.step opt grads`.
    let step (optimizer: IOptimizer) (grads: Parameters) (parameters: Parameters, state: OptimizerState) : Parameters * OptimizerState =
        let r = optimizer.Step(parameters, grads, state)
        r.Parameters, r.State
