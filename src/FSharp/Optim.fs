namespace Mlp.FSharp

open Mlp.Models
open Mlp.Optim

/// SGD's hyper-parameters as an F# record that is itself an optimizer: `{ Optim.sgd with LearningRate = 0.1f; Momentum = 0.9f }`.
/// PyTorch: `optim.SGD(lr, momentum, dampening, weight_decay, nesterov)`; every step is `Mlp.Optim.Sgd`'s.
type SgdOptimizer =
    { /// The learning rate, > 0.
      LearningRate: float32
      /// Momentum factor (0: plain SGD).
      Momentum: float32
      /// Dampening for momentum.
      Dampening: float32
      /// Nesterov momentum (needs momentum > 0 and dampening 0).
      Nesterov: bool
      /// L2 penalty added to the gradient.
      WeightDecay: float32 }

    /// The C# optimizer with these hyper-parameters (e.g. to save a checkpoint).
    member o.ToOptimizer() : Sgd =
        Sgd(o.LearningRate, Momentum = o.Momentum, Dampening = o.Dampening, Nesterov = o.Nesterov, WeightDecay = o.WeightDecay)

    interface IOptimizer with
        member o.Name = o.ToOptimizer().Name
        member o.LearningRate = o.LearningRate
        member o.WithLearningRate learningRate = { o with LearningRate = learningRate } :> IOptimizer
        member o.Init parameters = o.ToOptimizer().Init parameters
        member o.Step(parameters, grads, state) = o.ToOptimizer().Step(parameters, grads, state)

/// Adam's hyper-parameters as an F# record that is itself an optimizer: `{ Optim.adam with LearningRate = 1e-3f; Beta1 = 0.9f }`.
/// PyTorch: `optim.Adam(lr, betas=(beta1, beta2), eps, weight_decay)`; every step is `Mlp.Optim.Adam`'s.
type AdamOptimizer =
    { /// The learning rate, > 0.
      LearningRate: float32
      /// β₁, the first-moment decay.
      Beta1: float32
      /// β₂, the second-moment decay.
      Beta2: float32
      /// Added to the denominator for stability (PyTorch's eps).
      Epsilon: float32
      /// L2 penalty added to the gradient (not AdamW).
      WeightDecay: float32 }

    /// The C# optimizer with these hyper-parameters (e.g. to save a checkpoint).
    member o.ToOptimizer() : Adam =
        Adam(o.LearningRate, Beta1 = o.Beta1, Beta2 = o.Beta2, Epsilon = o.Epsilon, WeightDecay = o.WeightDecay)

    interface IOptimizer with
        member o.Name = o.ToOptimizer().Name
        member o.LearningRate = o.LearningRate
        member o.WithLearningRate learningRate = { o with LearningRate = learningRate } :> IOptimizer
        member o.Init parameters = o.ToOptimizer().Init parameters
        member o.Step(parameters, grads, state) = o.ToOptimizer().Step(parameters, grads, state)

/// Optimizers as records with defaults, and as pure functions `(parameters, state) -> (parameters', state')`.
[<RequireQualifiedAccess>]
module Optim =
    /// Plain SGD with learning rate 0.1; change fields with `{ Optim.sgd with LearningRate = 0.05f; Momentum = 0.9f }`.
    let sgd : SgdOptimizer = { LearningRate = 0.1f; Momentum = 0.0f; Dampening = 0.0f; Nesterov = false; WeightDecay = 0.0f }

    /// Adam with PyTorch's defaults (lr 1e-3, β = 0.9, 0.999; ε = 1e-8); change fields with `{ Optim.adam with … }`.
    let adam : AdamOptimizer = { LearningRate = 1e-3f; Beta1 = 0.9f; Beta2 = 0.999f; Epsilon = 1e-8f; WeightDecay = 0.0f }

    /// The state before the first step.
    let init (parameters: Parameters) (optimizer: #IOptimizer) : OptimizerState = optimizer.Init parameters

    /// One update, data-last: `(p, state) |> Optim.step opt grads`.
    let step (optimizer: #IOptimizer) (grads: Parameters) (parameters: Parameters, state: OptimizerState) : Parameters * OptimizerState =
        let r = optimizer.Step(parameters, grads, state)
        r.Parameters, r.State
