namespace Mlp.FSharp

open System.Threading
open Mlp
open Mlp.Data
open Mlp.Models
open Mlp.Optim
open Mlp.Training

/// The training loop: one `step`, or `fit` for epochs with validation; every result is a new value.
[<RequireQualifiedAccess>]
module Train =
    /// Cross-entropy from logits with integer labels (the default training loss).
    let crossEntropy : Loss = Loss.CrossEntropy

    /// The lesson's MSE against the labels as floats, for a one-output model.
    let mse : Loss = Loss.Mse

    /// Epochs, batch size and seed; cross-entropy loss.
    let options (epochs: int) (batchSize: int) (seed: uint64) : TrainingOptions = TrainingOptions(epochs, batchSize, seed)

    /// The same options with another loss.
    let withLoss (loss: Loss) (options: TrainingOptions) : TrainingOptions = options.With(loss = loss)

    /// The same options with a learning-rate schedule, e.g. `LearningRateSchedule.Cosine`.
    let withSchedule (schedule: LearningRateSchedule) (options: TrainingOptions) : TrainingOptions = options.With(schedule = schedule)

    /// The same options with another evaluation batch size.
    let withEvaluationBatchSize (rows: int) (options: TrainingOptions) : TrainingOptions = options.With(evaluationBatchSize = rows)

    /// One step on one batch, data-last: `(p, state) |> Train.step model opt loss (x, labels)` gives `p', state', loss`.
    let step (model: Model) (optimizer: IOptimizer) (loss: Loss) (x: Tensor, labels: int[]) (parameters: Parameters, state: OptimizerState)
        : Parameters * OptimizerState * float32 =
        let r = Trainer.Step(model, optimizer, loss, parameters, state, x, labels)
        r.Parameters, r.State, r.Loss

    /// Trains from scratch on the train split, validating on the valid split each epoch; `report` sees every progress report.
    let fitWith (report: TrainingProgress -> unit) (model: Model) (optimizer: IOptimizer) (options: TrainingOptions) (splits: DatasetSplits)
        : TrainingResult =
        let start = TrainingState.Start(model, optimizer, options.Seed)
        Trainer.Fit(model, optimizer, start, splits.Train, splits.Valid, options, { new System.IProgress<TrainingProgress> with member _.Report p = report p }, CancellationToken.None)

    /// Trains from scratch on any batch source (`BatchSource.From dataset`, a streamed view, a user's batches) through
    /// the one training loop, validating on `valid` each epoch when given.
    let fitSource (report: TrainingProgress -> unit) (model: Model) (optimizer: IOptimizer) (options: TrainingOptions)
                  (valid: Dataset option) (source: BatchSource) : TrainingResult =
        let start = TrainingState.Start(model, optimizer, options.Seed)
        Trainer.Fit(model, optimizer, start, source, Option.toObj valid, options,
                    { new System.IProgress<TrainingProgress> with member _.Report p = report p }, CancellationToken.None)

    /// Trains from scratch on the train split, validating on the valid split each epoch.
    let fit (model: Model) (optimizer: IOptimizer) (options: TrainingOptions) (splits: DatasetSplits) : TrainingResult =
        fitWith ignore model optimizer options splits

    /// The trained parameters.
    let parameters (result: TrainingResult) : Parameters = result.State.Parameters

    /// One entry per completed epoch.
    let history (result: TrainingResult) : EpochMetrics list = List.ofSeq result.History

    /// Loss, accuracy, per-class accuracy and confusion matrix (cross-entropy loss).
    let evaluate (model: Model) (parameters: Parameters) (data: Dataset) : Evaluation =
        Trainer.Evaluate(model, parameters, data, Loss.CrossEntropy, 4096)
