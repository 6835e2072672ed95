/// A short training run from F#.
module Mlp.FSharp.Tests.Training

open Xunit
open Mlp.FSharp

let private splits = lazy (Data.load Repo.embeddedFashion |> Data.normalize)

[<Fact>]
let ``Two epochs of SGD with momentum on 8000 Fashion-MNIST rows reach 78 percent validation accuracy`` () =
    let model = Model.perceptron 784 [ 32 ] 10
    let result = splits.Force() |> Train.fit model (Optim.sgdMomentum 0.05f 0.9f) (Train.options 2 64 0UL)
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
    let opt = Optim.adam 1e-3f
    let viaFit = small |> Train.fit model opt (Train.options 1 50 5UL) |> Train.parameters
    let p0 = model |> Model.init 5UL
    let viaFold, _ =
        train |> Data.shuffledBatches 50 5UL 0
        |> Seq.fold (fun (p, st) batch -> let p', st', _ = (p, st) |> Train.step model opt Train.crossEntropy batch in p', st')
                    (p0, opt |> Optim.init p0)
    Assert.True(viaFit.BitwiseEquals viaFold)

[<Fact>]
let ``The same seed gives bitwise identical parameters and a progress report for every step`` () =
    let s = splits.Force()
    let small = Mlp.Data.DatasetSplits(Data.train s |> Data.take 640, Data.valid s |> Data.take 64, null, "small")
    let model = Model.perceptron 784 [ 16 ] 10
    let reports = ResizeArray()
    let a = small |> Train.fitWith reports.Add model (Optim.sgd 0.1f) (Train.options 1 64 9UL) |> Train.parameters
    let b = small |> Train.fit model (Optim.sgd 0.1f) (Train.options 1 64 9UL) |> Train.parameters
    Assert.True(a.BitwiseEquals b)
    Assert.Equal(10 + 1, reports.Count)    // 10 steps, then the end of the epoch

// A loss other than the default (cross-entropy doubled), so that the Loss field is seen to reach the loop.
let private doubled =
    Mlp.Training.Loss("cross_entropy×2", System.Func<Mlp.Tensor, int[], Mlp.Vjp<Mlp.Tensor>>(fun output labels ->
        let r = Mlp.CrossEntropy.Forward(output, labels)
        Mlp.Vjp<Mlp.Tensor>(r.Output * 2.0f, System.Func<Mlp.Tensor, Mlp.Tensor>(fun dl -> r.Backward.Invoke(dl * 2.0f)))))

[<Fact>]
let ``Every training option set through the F# facade reaches the loop and trains bit for bit like the direct C# call`` () =
    let s = splits.Force()
    let small = Mlp.Data.DatasetSplits(Data.train s |> Data.take 300, Data.valid s |> Data.take 50, null, "small")
    let model = Model.perceptron 784 [ 8 ] 10
    let opt = Optim.sgdMomentum 0.05f 0.9f
    let fsOptions =
        Train.options 3 32 4UL
        |> Train.withSchedule Mlp.Training.LearningRateSchedule.Cosine
        |> Train.withLoss doubled
        |> Train.withEvaluationBatchSize 7
    let csOptions =
        Mlp.Training.TrainingOptions(3, 32, 4UL, Schedule = Mlp.Training.LearningRateSchedule.Cosine, Loss = doubled, EvaluationBatchSize = 7)
    Assert.Equal(csOptions, fsOptions)
    // withLoss keeps the schedule (it used to copy the fields by hand and drop it).
    Assert.Equal(Mlp.Training.LearningRateSchedule.Cosine, (fsOptions |> Train.withLoss Train.crossEntropy).Schedule)
    let viaFSharp = small |> Train.fit model opt fsOptions |> Train.parameters
    let start = Mlp.Training.TrainingState.Start(model, opt, 4UL)
    let direct = Mlp.Training.Trainer.Fit(model, opt, start, small.Train, small.Valid, csOptions, null, System.Threading.CancellationToken.None)
    Assert.True(viaFSharp.BitwiseEquals direct.State.Parameters)
    let viaSource = Mlp.Training.BatchSource.From small.Train |> Train.fitSource ignore model opt fsOptions (Some small.Valid) |> Train.parameters
    Assert.True(viaSource.BitwiseEquals direct.State.Parameters)
    let constant = small |> Train.fit model opt (fsOptions.With(schedule = Mlp.Training.LearningRateSchedule.Constant)) |> Train.parameters
    Assert.False(constant.BitwiseEquals viaFSharp)   // the schedule changes the result, so the equalities above are not vacuous
