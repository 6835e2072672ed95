/// The README's F# example runs (tests/Unit/Readme/ReadmeCodeBlockTests checks the README shows exactly its code).
module Mlp.FSharp.Tests.ReadmeSnippets

open Xunit

[<Fact>]
let ``The README's F# example runs and trains`` () =
    let loss, (dx, dw, db), accuracy = ReadmeExample.run Repo.embeddedFashion
    Assert.InRange(loss, 1.0f, 4.0f)                                   // about ln 10 at init
    Assert.Equal<int[]>([| 64; 784 |], Mlp.FSharp.Tensor.shape dx)
    Assert.Equal<int[]>([| 784; 10 |], Mlp.FSharp.Tensor.shape dw)
    Assert.Equal(0.0f, Mlp.FSharp.Tensor.sum db, 5)                    // Σ(softmax − onehot) over classes is 0
    Assert.True(accuracy > 0.7, sprintf "accuracy %g" accuracy)
