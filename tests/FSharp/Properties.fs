/// FsCheck properties written in F#, with the law kit's generators.
module Mlp.FSharp.Tests.Properties

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Mlp
open Mlp.FSharp
open Mlp.Testing

let private tensors = TensorGen.Arbitrary(3, 5, Domain.Any)

[<Property(MaxTest = 200)>]
let ``Relu's gradient is the output gradient masked by x greater than 0`` () =
    Prop.forAll tensors (fun (x: Tensor) ->
        let dy = x |> Tensor.scale 3.0f |> Tensor.add (Tensor.scalar 0.5f)
        let _, back = Layer.relu x
        Array.map2 (fun xi dyi -> if xi > 0.0f then dyi else 0.0f) (Tensor.toArray x) (Tensor.toArray dy) = Tensor.toArray (back dy))

[<Property(MaxTest = 200)>]
let ``Linear's bias gradient is the column sum of dy and its weight gradient is x transpose dy`` () =
    let cases = gen {
        let! n = Gen.choose (1, 5)
        let! i = Gen.choose (1, 5)
        let! o = Gen.choose (1, 5)
        let! x = TensorGen.OfShape([| n; i |], Domain.Any)
        let! w = TensorGen.OfShape([| i; o |], Domain.Any)
        let! dy = TensorGen.OfShape([| n; o |], Domain.Any)
        return x, w, dy }
    Prop.forAll (Arb.fromGen cases) (fun (x, w, dy) ->
        let _, back = x |> Layer.linear w (Tensor.zeros [| Tensor.shape w |> Array.last |])
        let _, dw, db = back dy
        // grid values (multiples of ¼) make every product and sum exact in float32
        Tensor.toArray db = Tensor.toArray (dy |> Tensor.sumAxis 0)
        && Tensor.toArray dw = Tensor.toArray (Tensor.transpose x |> Tensor.matmul dy))

[<Property(MaxTest = 100)>]
let ``An SGD step moves every parameter by minus lr times its gradient`` () =
    Prop.forAll tensors (fun (t: Tensor) ->
        let p = Models.Parameters.From [ Models.NamedTensor("w", t) ]
        let g = Models.Parameters.From [ Models.NamedTensor("w", t |> Tensor.scale 2.0f) ]
        let opt = { Optim.sgd with LearningRate = 0.25f }
        let p', _ = (p, opt |> Optim.init p) |> Optim.step opt g
        Tensor.toArray p'.["w"] = Tensor.toArray (t |> Tensor.scale 0.5f))      // w − ¼·2w = ½w, exact on the grid

/// tanh defined only here, in F#, checked by the law kit: the F# user's path.
let tanhLayer (x: Tensor) : Tensor * (Tensor -> Tensor) =
    let y = Tensor.tanh x
    y, fun dy -> dy |> Tensor.mul (Tensor.ones [||] |> Tensor.sub (y |> Tensor.mul y))   // dx = dy ⊙ (1 − y²)

[<Property(MaxTest = 200)>]
let ``A tanh layer written in F# obeys the vjp laws`` () =
    VjpLaws.ForAll(LayerSpec.Elementwise("tanh (F#)", Domain.Any, Layer.toVjp tanhLayer))

[<Xunit.Fact>]
let ``The law kit rejects an F# tanh whose derivative forgets the square`` () =
    let wrong (x: Tensor) =
        let y = Tensor.tanh x
        y, fun dy -> dy |> Tensor.mul (Tensor.ones [||] |> Tensor.sub y)
    let e = Xunit.Assert.Throws<VjpLawException>(fun () -> VjpLaws.Verify(LayerSpec.Elementwise("tanh with 1 − y", Domain.Any, Layer.toVjp wrong)))
    Xunit.Assert.Contains("backward disagrees with central finite differences for x", e.Message)

[<Property(MaxTest = 100)>]
let ``The built-in layers pass the law kit through the F# facade`` () =
    let linear =
        LayerSpec.Create("Layer.linear", [| ArgSpec.Input("x", "n,i"); ArgSpec.Input("w", "i,o"); ArgSpec.Input("b", "o") |], "n,o",
            fun a ->
                let y, back = a.[0] |> Layer.linear a.[1] a.[2]
                Vjp<Tensor[]>(y, fun dy -> let dx, dw, db = back dy in [| dx; dw; db |])).RowWise('n')
    VjpLaws.ForAll(linear) .&. VjpLaws.ForAll(LayerSpec.Elementwise("Layer.relu", Domain.NonZero, Layer.toVjp Layer.relu))
