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
    let model = Model.sequential [ Model.linear 784 100; Model.relu; Model.linear 100 10 ]
    let result = splits |> Train.fit model (Optim.sgdMomentum 0.1f 0.9f) (Train.options 1 64 0UL)
    let accuracy = (Train.evaluate model (Train.parameters result) (Data.valid splits)).Accuracy
    // readme:using-mlp-from-fsharp:end
    Tensor.item loss, (dx, dw, db), accuracy
