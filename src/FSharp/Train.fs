namespace Mlp.FSharp

open System.Threading
open Mlp
open Mlp.Data
open Mlp.Models
open Mlp.Optim
open Mlp.Training

/// The losses training minimizes, as values for `TrainOptions.Loss` and `Train.step` (`Loss.*` are the loss functions themselves).
[<RequireQualifiedAccess>]
module Objective =
    /// Cross-entropy from logits with integer labels (the default). PyTorch: `F.cross_entropy`.
    let crossEntropy : Loss = Loss.CrossEntropy

    /// The lesson's MSE against the labels as floats, for a one-output model.
    let mse : Loss = Loss.Mse

/// Learning-rate schedules, stepped once per epoch, for `TrainOptions.Schedule`.
[<RequireQualifiedAccess>]
module Schedule =
    /// The base rate every epoch (the default).
    let constant : LearningRateSchedule = LearningRateSchedule.Constant

    /// Cosine annealing to zero over the run. PyTorch: `CosineAnnealingLR(T_max=epochs)`.
    let cosine : LearningRateSchedule = LearningRateSchedule.Cosine

    /// Multiply by `gamma` every `every` epochs. PyTorch: `StepLR(step_size=every, gamma)`.
    let step (every: int) (gamma: float32) : LearningRateSchedule = LearningRateSchedule.Step(every, gamma)

    /// The one-cycle policy with PyTorch's defaults (warm-up 30%, div 25, final div 1e4). PyTorch: `OneCycleLR(total_steps=epochs)`.
    let oneCycle : LearningRateSchedule = LearningRateSchedule.OneCycle()

/// Training options as a record with defaults: `{ Train.defaults with Epochs = 5; BatchSize = 64 }`.
type TrainOptions =
    { /// Train until this many epochs are complete (counting those before a resume).
      Epochs: int
      /// Rows per batch; the last batch of an epoch may be smaller.
      BatchSize: int
      /// The seed for initialization and shuffling.
      Seed: uint64
      /// The loss to minimize, e.g. `Objective.crossEntropy`.
      Loss: Loss
      /// How the learning rate changes per epoch, e.g. `Schedule.cosine`.
      Schedule: LearningRateSchedule
      /// Rows per forward pass when evaluating the validation set.
      EvaluationBatchSize: int }

    /// The same options as the C# `TrainingOptions` the training loop takes.
    member o.ToTrainingOptions() : TrainingOptions =
        TrainingOptions(o.Epochs, o.BatchSize, o.Seed, Loss = o.Loss, Schedule = o.Schedule, EvaluationBatchSize = o.EvaluationBatchSize)

/// How a run is driven: `{ Train.control with Cancellation = cts.Token; Start = Some state }`.
type FitControl =
    { /// Sees every progress report (after each step and each epoch), on the training thread.
      Progress: TrainingProgress -> unit
      /// Checked before every step: when cancelled, training stops after the step in flight (`Cancelled = true`, with the state to resume from).
      Cancellation: CancellationToken
      /// Where to start: None for fresh parameters from the seed, or `Some state` to resume (a result's `State`, or a checkpoint's).
      Start: TrainingState option }

/// The training loop: one `step`, or `fit` for epochs with validation; every result is a new value.
[<RequireQualifiedAccess>]
module Train =
    /// 10 epochs, batch 64, seed 0, cross-entropy, constant schedule, evaluation batch 4096.
    let defaults : TrainOptions =
        { Epochs = 10; BatchSize = 64; Seed = 0UL; Loss = Objective.crossEntropy; Schedule = Schedule.constant; EvaluationBatchSize = 4096 }

    /// No progress reports, no cancellation, a fresh start.
    let control : FitControl = { Progress = ignore; Cancellation = CancellationToken.None; Start = None }

    /// One step on one batch, data-last: `(p, state) |> Train.step model opt Objective.crossEntropy (x, labels)` gives `p', state', loss`.
    let step (model: Model) (optimizer: #IOptimizer) (loss: Loss) (x: Tensor, labels: int[]) (parameters: Parameters, state: OptimizerState)
        : Parameters * OptimizerState * float32 =
        let r = Trainer.Step(model, optimizer, loss, parameters, state, x, labels)
        r.Parameters, r.State, r.Loss

    /// One training step of a model with Dropout or BatchNorm1d, data-last, in `mode` (e.g. `ForwardMode.Train seed`):
    /// `(p, b, state) |> Train.stepWith model opt Objective.crossEntropy mode (x, labels)` gives `p', b', state', loss`.
    let stepWith (model: Model) (optimizer: #IOptimizer) (loss: Loss) (mode: ForwardMode) (x: Tensor, labels: int[])
                 (parameters: Parameters, buffers: Buffers, state: OptimizerState) : Parameters * Buffers * OptimizerState * float32 =
        let r = Trainer.Step(model, optimizer, loss, parameters, buffers, state, x, labels, mode)
        r.Parameters, r.Buffers, r.State, r.Loss

    /// Trains on any batch source (`BatchSource.From dataset`, a streamed view, a user's batches) through the one
    /// training loop, validating on `valid` each epoch when given, driven by `control`.
    let fitSource (control: FitControl) (model: Model) (optimizer: #IOptimizer) (options: TrainOptions)
                  (valid: Dataset option) (source: BatchSource) : TrainingResult =
        let optimizer = optimizer :> IOptimizer
        let start = control.Start |> Option.defaultWith (fun () -> TrainingState.Start(model, optimizer, options.Seed))
        let report = control.Progress
        Trainer.Fit(model, optimizer, start, source, Option.toObj valid, options.ToTrainingOptions(),
                    { new System.IProgress<TrainingProgress> with member _.Report p = report p }, control.Cancellation)

    /// Trains on the train split, validating on the valid split each epoch, driven by `control` (progress,
    /// cancellation, a start state to resume from).
    let fitWith (control: FitControl) (model: Model) (optimizer: #IOptimizer) (options: TrainOptions) (splits: DatasetSplits) : TrainingResult =
        BatchSource.From splits.Train |> fitSource control model optimizer options (Some splits.Valid)

    /// Trains from scratch on the train split, validating on the valid split each epoch.
    let fit (model: Model) (optimizer: #IOptimizer) (options: TrainOptions) (splits: DatasetSplits) : TrainingResult =
        fitWith control model optimizer options splits

    /// The trained parameters.
    let parameters (result: TrainingResult) : Parameters = result.State.Parameters

    /// The trained buffers (BatchNorm1d's running statistics); empty for a model without any.
    let buffers (result: TrainingResult) : Buffers = result.State.Buffers

    /// One entry per completed epoch.
    let history (result: TrainingResult) : EpochMetrics list = List.ofSeq result.History

    /// Loss, accuracy, per-class accuracy and confusion matrix (cross-entropy loss).
    let evaluate (model: Model) (parameters: Parameters) (data: Dataset) : Evaluation =
        Trainer.Evaluate(model, parameters, data, Loss.CrossEntropy, 4096)

    /// Loss, accuracy, per-class accuracy and confusion matrix in evaluation mode with the model's buffers:
    /// `data |> Train.evaluateWith model (parameters, buffers)`.
    let evaluateWith (model: Model) (parameters: Parameters, buffers: Buffers) (data: Dataset) : Evaluation =
        Trainer.Evaluate(model, parameters, buffers, data, Loss.CrossEntropy, 4096)
