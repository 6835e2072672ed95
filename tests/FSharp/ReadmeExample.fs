module Mlp.FSharp.Tests.ReadmeExample

// readme:using-mlp-from-fsharp:begin
open Mlp.FSharp
// readme:using-mlp-from-fsharp:end

/// The README's "Using Mlp from F#" example; ReadmeSnippets checks the README shows exactly this code.
let run (dataDir: string) =
    // readme:using-mlp-from-fsharp:begin

    let splits = Data.load dataDir |> Data.normalize                 // training mean and std for every split

    // A layer is a pure function: output, and an F# function from output gradient to input gradients.
    let x, labels = splits |> Data.train |> Data.batches 64 |> Seq.head
    let w, b = Init.rng 42UL |> Init.torchLinearDefault 784 10
    let logits, back = x |> Layer.linear w b
    let loss, lossBack = logits |> Loss.crossEntropy labels
    let dx, dw, db = back (lossBack (Tensor.scalar 1.0f))

    // Models compose layer values; training returns new immutable parameters.
    let model = Model.sequential [ Model.linearLayer 784 100; Model.reluLayer; Model.linearLayer 100 10 ]
    let optimizer = { Optim.sgd with LearningRate = 0.1f; Momentum = 0.9f }   // or { Optim.adam with Beta2 = 0.99f }
    let options = { Train.defaults with Epochs = 1; BatchSize = 64; Schedule = Schedule.cosine }
    let first = splits |> Train.fit model optimizer options
    // Progress, cancellation and a start state drive a run; here: go on from the first run's state to epoch 2.
    use cts = new System.Threading.CancellationTokenSource()
    let control = { Train.control with Cancellation = cts.Token; Start = Some first.State }
    let result = splits |> Train.fitWith control model optimizer { options with Epochs = 2 }
    let accuracy = (Train.evaluate model (Train.parameters result) (Data.valid splits)).Accuracy
    // readme:using-mlp-from-fsharp:end
    Tensor.item loss, (dx, dw, db), accuracy
