/// A short training run from F#.
module Mlp.FSharp.Tests.Training

open System.Threading
open Xunit
open Mlp.FSharp

let private splits = lazy (Data.load Repo.embeddedFashion |> Data.normalize)

let private smallSplits rows validRows =
    let s = splits.Force()
    Mlp.Data.DatasetSplits(Data.train s |> Data.take rows, Data.valid s |> Data.take validRows, null, "small")

[<Fact>]
let ``Two epochs of SGD with momentum on 8000 Fashion-MNIST rows reach 78 percent validation accuracy`` () =
    let model = Model.perceptron 784 [ 32 ] 10
    let result = splits.Force() |> Train.fit model { Optim.sgd with LearningRate = 0.05f; Momentum = 0.9f } { Train.defaults with Epochs = 2 }
    let history = Train.history result
    Assert.Equal(2, history.Length)
    Assert.True(history.[1].TrainLoss < history.[0].TrainLoss, sprintf "%A" history)
    Assert.True(history.[1].ValidAccuracy >= 0.78, sprintf "validation accuracy %g" history.[1].ValidAccuracy)
    let eval = Train.evaluate model (Train.parameters result) (Data.valid (splits.Force()))
    Assert.Equal(history.[1].ValidAccuracy, eval.Accuracy, 9)

[<Fact>]
let ``An F# fold of Train.step over the shuffled batches equals Train.fit bit for bit`` () =
    let s = splits.Force()
    let train = Data.train s |> Data.take 1000
    let small = Mlp.Data.DatasetSplits(train, Data.valid s |> Data.take 100, null, "first 1000 rows")
    let model = Model.perceptron 784 [ 32 ] 10
    let opt = Optim.adam
    let viaFit = small |> Train.fit model opt { Train.defaults with Epochs = 1; BatchSize = 50; Seed = 5UL } |> Train.parameters
    let p0 = model |> Model.init 5UL
    let viaFold, _ =
        train |> Data.shuffledBatches 50 5UL 0
        |> Seq.fold (fun (p, st) batch -> let p', st', _ = (p, st) |> Train.step model opt Objective.crossEntropy batch in p', st')
                    (p0, opt |> Optim.init p0)
    Assert.True(viaFit.BitwiseEquals viaFold)

[<Fact>]
let ``The same seed gives bitwise identical parameters and a progress report for every step`` () =
    let small = smallSplits 640 64
    let model = Model.perceptron 784 [ 16 ] 10
    let reports = ResizeArray()
    let options = { Train.defaults with Epochs = 1; Seed = 9UL }
    let a = small |> Train.fitWith { Train.control with Progress = reports.Add } model Optim.sgd options |> Train.parameters
    let b = small |> Train.fit model Optim.sgd options |> Train.parameters
    Assert.True(a.BitwiseEquals b)
    Assert.Equal(10 + 1, reports.Count)    // 10 steps, then the end of the epoch

[<Fact>]
let ``A run cancelled mid-epoch and resumed from its state equals an uninterrupted run bit for bit`` () =
    let small = smallSplits 320 32
    let model = Model.perceptron 784 [ 8 ] 10
    let opt = { Optim.adam with LearningRate = 3e-3f }
    let options = { Train.defaults with Epochs = 2; BatchSize = 32; Seed = 3UL; Schedule = Schedule.cosine }
    use cts = new CancellationTokenSource()
    let mutable steps = 0
    let cancelAfter7 (p: Mlp.Training.TrainingProgress) = if isNull (box p.Completed) then (steps <- steps + 1; if steps = 7 then cts.Cancel())
    let stopped = small |> Train.fitWith { Train.control with Progress = cancelAfter7; Cancellation = cts.Token } model opt options
    Assert.True(stopped.Cancelled)
    Assert.Equal((0, 7), (stopped.State.Epoch, stopped.State.Step))   // the seventh step finished, the eighth never began
    let resumed = small |> Train.fitWith { Train.control with Start = Some stopped.State } model opt options
    let straight = small |> Train.fit model opt options
    Assert.False(resumed.Cancelled)
    Assert.True((Train.parameters resumed).BitwiseEquals(Train.parameters straight))
    let metrics (r: Mlp.Training.TrainingResult) = Train.history r |> List.map (fun m -> m.Epoch, m.TrainLoss, m.TrainAccuracy, m.ValidLoss, m.ValidAccuracy)
    Assert.Equal<(int * float * float * float * float) list>(metrics straight, metrics resumed)

// A loss other than the default (cross-entropy doubled), so that the Loss field is seen to reach the loop.
let private doubled =
    Mlp.Training.Loss("cross_entropy×2", System.Func<Mlp.Tensor, int[], Mlp.Vjp<Mlp.Tensor>>(fun output labels ->
        let r = Mlp.CrossEntropy.Forward(output, labels)
        Mlp.Vjp<Mlp.Tensor>(r.Output * 2.0f, System.Func<Mlp.Tensor, Mlp.Tensor>(fun dl -> r.Backward.Invoke(dl * 2.0f)))))

[<Fact>]
let ``Every training option set through the F# facade reaches the loop and trains bit for bit like the direct C# call`` () =
    let small = smallSplits 300 50
    let model = Model.perceptron 784 [ 8 ] 10
    let opt = { Optim.sgd with LearningRate = 0.05f; Momentum = 0.9f; Dampening = 0.1f; WeightDecay = 1e-3f }
    let csOpt = Mlp.Optim.Sgd(0.05f, Momentum = 0.9f, Dampening = 0.1f, WeightDecay = 1e-3f)
    let fsOptions = { Epochs = 3; BatchSize = 32; Seed = 4UL; Loss = doubled; Schedule = Schedule.cosine; EvaluationBatchSize = 7 }
    let csOptions =
        Mlp.Training.TrainingOptions(3, 32, 4UL, Schedule = Mlp.Training.LearningRateSchedule.Cosine, Loss = doubled, EvaluationBatchSize = 7)
    Assert.Equal(csOptions, fsOptions.ToTrainingOptions())
    Assert.Equal(csOpt, opt.ToOptimizer())
    let viaFSharp = small |> Train.fit model opt fsOptions |> Train.parameters
    let start = Mlp.Training.TrainingState.Start(model, csOpt, 4UL)
    let direct = Mlp.Training.Trainer.Fit(model, csOpt, start, small.Train, small.Valid, csOptions)
    Assert.True(viaFSharp.BitwiseEquals direct.State.Parameters)
    let viaSource = Mlp.Training.BatchSource.From small.Train |> Train.fitSource Train.control model opt fsOptions (Some small.Valid) |> Train.parameters
    Assert.True(viaSource.BitwiseEquals direct.State.Parameters)
    // Not vacuous: each of the schedule, the loss and an optimizer field changes the result.
    let differs (p: Mlp.Models.Parameters) = Assert.False(p.BitwiseEquals viaFSharp)
    small |> Train.fit model opt { fsOptions with Schedule = Schedule.constant } |> Train.parameters |> differs
    small |> Train.fit model opt { fsOptions with Loss = Objective.crossEntropy } |> Train.parameters |> differs
    small |> Train.fit model { opt with Dampening = 0.0f } fsOptions |> Train.parameters |> differs

[<Fact>]
let ``An Adam record trains bit for bit like the C# Adam with the same fields`` () =
    let small = smallSplits 200 20
    let model = Model.perceptron 784 [ 8 ] 10
    let opt = { Optim.adam with LearningRate = 2e-3f; Beta1 = 0.8f; Beta2 = 0.99f; Epsilon = 1e-6f; WeightDecay = 1e-4f }
    let csOpt = Mlp.Optim.Adam(2e-3f, Beta1 = 0.8f, Beta2 = 0.99f, Epsilon = 1e-6f, WeightDecay = 1e-4f)
    let options = { Train.defaults with Epochs = 2; BatchSize = 25; Seed = 8UL; Schedule = Schedule.oneCycle }
    let viaRecord = small |> Train.fit model opt options |> Train.parameters
    let viaCSharp = small |> Train.fit model csOpt options |> Train.parameters
    Assert.True(viaRecord.BitwiseEquals viaCSharp)
    Assert.Equal(csOpt.Name, (opt :> Mlp.Optim.IOptimizer).Name)
    let other = small |> Train.fit model { opt with Beta2 = 0.999f } options |> Train.parameters
    Assert.False(other.BitwiseEquals viaRecord)
