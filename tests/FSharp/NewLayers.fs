/// The new layers from F#: the maths functions, layer values, Model.parse, training with buffers, save and load.
module Mlp.FSharp.Tests.NewLayers

open Xunit
open Mlp
open Mlp.Models
open Mlp.FSharp

let private splits = lazy (Data.load Repo.embeddedFashion |> Data.normalize)

[<Fact>]
let ``Model.parse of a PyTorch spec equals the model built from F# layer values, and its spec reads back`` () =
    let spec = "Linear(784, 64) BatchNorm1d(64) GELU() Dropout(0.1) Linear(64, 32) Tanh() Linear(32, 16) Sigmoid() Linear(16, 10) LogSoftmax(dim=1)"
    let built =
        Model.sequential [ Model.linearLayer 784 64; Model.batchNorm1dLayer 64; Model.geluLayer; Model.dropoutLayer 0.1
                           Model.linearLayer 64 32; Model.tanhLayer; Model.linearLayer 32 16; Model.sigmoidLayer
                           Model.linearLayer 16 10; Model.logSoftmaxLayer ]
    Assert.Equal(spec, Model.spec built)
    Assert.Equal(spec, Model.spec (Model.parse spec))
    Assert.Equal("GELU(approximate='tanh') Softmax(dim=1) LeakyReLU(0.2)",
                 Model.spec (Model.sequential [ Model.geluTanhLayer; Model.softmaxLayer; Model.leakyReluLayer 0.2f ]))

[<Fact>]
let ``The maths functions compute what their formulas say`` () =
    let x = Rng(3UL).Normal(6, 4) * 2.0f
    let dy = Rng(4UL).Normal(6, 4)
    let y, back = x |> Layer.tanh
    Assert.Equal<float32>((x.Tanh()).ToArray(), y.ToArray())
    Assert.Equal<float32>((dy * (1.0f - y * y)).ToArray(), (back dy).ToArray())
    let p, _ = x |> Layer.softmax
    for i in 0 .. 5 do Assert.Equal(1.0, Seq.sum [ for j in 0 .. 3 -> float p.[i, j] ], 6)
    // BatchNorm1d in training: with γ = 1, β = 0 each column has mean 0 and biased variance 1/(1 + eps/σ²) ≈ 1, and the
    // running mean moves a tenth of the way (momentum 0.1) from 0 to the batch mean.
    let stats = BatchNorm1d.Stats.Initial 4
    let out, bnBack, next = x |> Layer.batchNorm1d (Tensor.Ones 4) (Tensor.Zeros 4) stats
    let colMean = out.Mean(0).ToArray()
    Assert.All(colMean, fun m -> Assert.InRange(m, -1e-6f, 1e-6f))
    Assert.Equal<float32>((x.Mean(0) * 0.1f).ToArray() |> Array.map (fun v -> System.MathF.Round(v, 5)), next.RunningMean.ToArray() |> Array.map (fun v -> System.MathF.Round(v, 5)))
    Assert.Equal(1L, next.NumBatchesTracked)
    Assert.Equal(0L, stats.NumBatchesTracked)
    let _, _, db = bnBack dy
    Assert.Equal<float32>(dy.Sum(0).ToArray(), db.ToArray())          // dβ = Σ_rows dy
    let ev, _ = x |> Layer.batchNorm1dEval (Tensor.Ones 4) (Tensor.Zeros 4) stats
    Assert.Equal<float32>((x / sqrt 1.00001f).ToArray() |> Array.map (fun v -> System.MathF.Round(v, 4)), ev.ToArray() |> Array.map (fun v -> System.MathF.Round(v, 4)))

[<Fact>]
let ``An F# fold of Train.stepWith with each step's seed equals Train.fit bit for bit, buffers included, and loads back`` () =
    let s = splits.Force()
    let train = Data.train s |> Data.take 1000
    let small = Mlp.Data.DatasetSplits(train, Data.valid s |> Data.take 200, null, "first 1000 rows")
    let model = Model.parse "Linear(784, 32) BatchNorm1d(32) GELU() Dropout(0.2) Linear(32, 10)"
    let opt = Optim.adam
    let result = small |> Train.fit model opt { Train.defaults with Epochs = 1; BatchSize = 50; Seed = 5UL }
    let p0 = model |> Model.init 5UL
    let p, b, _ =
        train |> Data.shuffledBatches 50 5UL 0
        |> Seq.mapi (fun step batch -> step, batch)
        |> Seq.fold (fun (p, b, st) (step, batch) ->
                        let p', b', st', _ = (p, b, st) |> Train.stepWith model opt Objective.crossEntropy (ForwardMode.ForStep(5UL, 0, step)) batch
                        p', b', st')
                    (p0, Model.initBuffers model, opt |> Optim.init p0)
    Assert.True((Train.parameters result).BitwiseEquals p)
    Assert.True((Train.buffers result).BitwiseEquals b)
    Assert.Equal(20L, b.Count "1.num_batches_tracked")
    let eval = Data.valid small |> Train.evaluateWith model (p, b)
    Assert.Equal((Train.history result).[0].ValidAccuracy, eval.Accuracy, 12)
    let path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), sprintf "mlp-fsharp-bn-%O.safetensors" (System.Guid.NewGuid()))
    try
        Model.saveWith path (model, p, b)
        let model', p', b' = Model.loadAll path
        Assert.Equal(Model.spec model, Model.spec model')
        let x = (Data.valid small).X
        Assert.Equal<float32>((x |> Model.predictWith model (p, b)).ToArray(), (x |> Model.predictWith model' (p', b')).ToArray())
    finally
        System.IO.File.Delete path
