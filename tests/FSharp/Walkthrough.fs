/// The lesson 02_fully_connected, step by step, written with the F# facade on the embedded Fashion-MNIST split.
module Mlp.FSharp.Tests.Walkthrough

open System
open Xunit
open Mlp
open Mlp.Lessons
open Mlp.FSharp
open Mlp.Models

let private splits = lazy (Data.load Repo.embeddedFashion |> Data.normalizeWithStats)
let private nh = 50

/// The lesson's test_near_zero.
let private nearZero (tol: float32) (a: float32) = Assert.True(abs a < tol, sprintf "%g is not within %g of 0" a tol)

[<Fact>]
let ``Normalizing with training statistics gives the training split mean 0 and std 1`` () =
    let s, mean, std = splits.Force()
    let x = (Data.train s).X
    nearZero 1e-3f (Tensor.mean x)
    nearZero 1e-3f (1.0f - Tensor.std x)
    Assert.InRange(mean, 0.2f, 0.4f)       // Fashion-MNIST pixels in [0, 1] average about 0.29
    Assert.InRange(std, 0.3f, 0.4f)        // …with std about 0.35
    nearZero 0.05f (Tensor.mean (Data.valid s).X)   // the validation split, normalized with train stats, is near 0 too

[<Fact>]
let ``Kaiming init has mean 0 and std sqrt 2 over fan in, within three standard errors`` () =
    let m = 784
    let w1 = Init.rng 0UL |> Init.kaimingNormal FanMode.FanIn Gain.Relu m nh
    let n = float32 (m * nh)
    let sigma = sqrt (2.0f / float32 m)
    nearZero (3.0f * sigma / sqrt n) (Tensor.mean w1)
    nearZero (3.0f * sigma * sqrt (2.0f / n)) (Tensor.std w1 - sigma)   // std of a sample std ≈ σ/√(2n)

[<Fact>]
let ``After lin and relu the activations follow the half normal formulas`` () =
    let s, _, _ = splits.Force()
    let x = (Data.valid s).X
    let w1 = Init.rng 1UL |> Init.kaimingNormal FanMode.FanIn Gain.Relu 784 nh
    let l1, _ = x |> Layer.linear w1 (Tensor.zeros [| nh |])
    let sigma = float (Tensor.std l1)
    let t, _ = l1 |> Layer.relu
    // For z ~ N(0, σ²): E[relu z] = σ/√(2π), std(relu z) = σ·√(1/2 − 1/(2π)). Pixels are not Gaussian: 15%.
    Assert.InRange(float (Tensor.mean t), 0.85 * sigma / sqrt (2.0 * Math.PI), 1.15 * sigma / sqrt (2.0 * Math.PI))
    Assert.InRange(float (Tensor.std t), 0.85 * sigma * sqrt (0.5 - 0.5 / Math.PI), 1.15 * sigma * sqrt (0.5 - 0.5 / Math.PI))
    // The lesson's shifted relu pulls the mean down by exactly 0.5.
    let shifted, _ = l1 |> Layer.shiftedRelu ShiftedRelu.LessonShift
    Assert.Equal(Tensor.mean t - 0.5f, Tensor.mean shifted, 4)

/// The lesson's weights and data: 256 training rows, lin(784, 50) → relu → lin(50, 1), MSE on the labels as floats.
let private lesson () =
    let s, _, _ = splits.Force()
    let train = Data.train s |> Data.take 256
    let rng = Init.rng 7UL
    let w1 = rng |> Init.kaimingNormal FanMode.FanIn Gain.Relu 784 nh
    let b1 = Tensor.zeros [| nh |]
    let w2 = rng |> Init.lecunNormal nh 1
    let b2 = Tensor.zeros [| 1 |]
    train.X, train.LabelsAsFloat(), w1, b1, w2, b2

/// The lesson's forward_and_backward, chaining the F# closures by hand.
let private forwardAndBackward x target w1 b1 w2 b2 =
    let l1, lin1Back = x |> Layer.linear w1 b1
    let l2, reluBack = l1 |> Layer.relu
    let out, lin2Back = l2 |> Layer.linear w2 b2
    let loss, mseBack = out |> Loss.mse target
    let dl2, dw2, db2 = lin2Back (mseBack (Tensor.scalar 1.0f))
    let dx, dw1, db1 = lin1Back (reluBack dl2)
    out, loss, dx, dw1, db1, dw2, db2

[<Fact>]
let ``The MSE of the model output equals the mean squared error computed element by element`` () =
    let x, target, w1, b1, w2, b2 = lesson ()
    let out, loss, _, _, _, _, _ = forwardAndBackward x target w1 b1 w2 b2
    Assert.Equal<int[]>([| 256; 1 |], Tensor.shape out)
    let expected = Array.map2 (fun (o: float32) (t: float32) -> (float o - float t) ** 2.0) (Tensor.toArray out) (Tensor.toArray target) |> Array.average
    Assert.Equal(expected, float (Tensor.item loss), 4)

[<Fact>]
let ``Hand chained F# closures give the same gradients as the tape and as Lesson.HandChained`` () =
    let x, target, w1, b1, w2, b2 = lesson ()
    let _, _, dx, dw1, db1, dw2, db2 = forwardAndBackward x target w1 b1 w2 b2
    let tape = Tape()
    let nx, nw1, nb1, nw2, nb2 = tape.Input x, tape.Parameter("w1", w1), tape.Parameter("b1", b1), tape.Parameter("w2", w2), tape.Parameter("b2", b2)
    let g = tape.Backward(Lesson.Loss(tape, nx, nw1, nb1, nw2, nb2, target))
    for (mine: Tensor), (theirs: Tensor) in [ dx, g.[nx]; dw1, g.[nw1]; db1, g.[nb1]; dw2, g.[nw2]; db2, g.[nb2] ] do
        Assert.Equal(0.0f, mine |> Tensor.maxAbsDiff theirs)
    let c = Lesson.HandChained(x, w1, b1, w2, b2, target)
    Assert.Equal(0.0f, dw1 |> Tensor.maxAbsDiff c.Dw1)

[<Fact>]
let ``The model from layer values gives the hand chained gradients under PyTorch state_dict names`` () =
    let x, target, w1, b1, w2, b2 = lesson ()
    let _, _, dx, dw1, db1, dw2, db2 = forwardAndBackward x target w1 b1 w2 b2
    let model = Model.sequential [ Model.linearLayer 784 nh; Model.reluLayer; Model.linearLayer nh 1 ]
    let p = Parameters.From [ NamedTensor("0.weight", w1); NamedTensor("0.bias", b1); NamedTensor("2.weight", w2); NamedTensor("2.bias", b2) ]
    let out, back = x |> Model.forward model p
    let _, mseBack = out |> Loss.mse target
    let grads, dxModel = back (mseBack (Tensor.scalar 1.0f))
    Assert.True((dxModel |> Tensor.allClose 1e-5 1e-7 dx))
    for name, (expected: Tensor) in [ "0.weight", dw1; "0.bias", db1; "2.weight", dw2; "2.bias", db2 ] do
        Assert.True((grads.[name] |> Tensor.allClose 1e-5 1e-7 expected), name)
    Assert.Equal(None, p |> Model.tryParameter "1.weight")    // relu has no parameters

[<Fact>]
let ``Gradients of the second layer match central finite differences`` () =
    let x, target, w1, b1, w2, b2 = lesson ()
    // Only w2 and b2 are perturbed (x, w1, b1 are constants of f): they act after the relu, so the loss is a smooth
    // quadratic in them and no kink can spoil the difference.
    let f = Func<Tape, Node[], Node>(fun tape ls -> Lesson.Loss(tape, tape.Input x, tape.Input w1, tape.Input b1, ls.[0], ls.[1], target))
    let inputs = [ "w2", w2; "b2", b2 ] |> List.map Collections.Generic.KeyValuePair
    let results = GradCheck.Check(f, ResizeArray inputs, 1e-2, 20, 3UL)
    Assert.Equal(2, results.Count)
    for r in results do
        Assert.True(r.NormRelativeError < 1e-3, sprintf "%s: norm-relative error %g" r.Name r.NormRelativeError)
