namespace Mlp.FSharp

open Mlp
open Mlp.Models

/// Models as compositions of layer values, with immutable named parameters:
/// `Model.sequential [ Model.linearLayer 784 50; Model.reluLayer; Model.linearLayer 50 10 ]`, then `x |> Model.forward model p`.
/// Layer values end in `Layer` (`Model.linearLayer`); the `Layer` module's functions (`Layer.linear w b x`) are the layers' maths.
[<RequireQualifiedAccess>]
module Model =
    /// A linear layer value `Linear(in, out)` with PyTorch's default init. PyTorch: `nn.Linear(in, out)`.
    let linearLayer (inFeatures: int) (outFeatures: int) : Layer = Layer.Linear(inFeatures, outFeatures)

    /// The relu layer value. PyTorch: `nn.ReLU()`.
    let reluLayer : Layer = Layer.Relu()

    /// The lesson's shifted relu layer value, `max(x, 0) + shift`.
    let shiftedReluLayer (shift: float32) : Layer = Layer.ShiftedRelu shift

    /// A parameter-free layer from a vjp function `x -> y, (dy -> dx)`, e.g. `Model.activationLayer "Tanh()" myTanh`.
    let activationLayer (name: string) (forward: Tensor -> Tensor * (Tensor -> Tensor)) : Layer =
        Layer.CreateActivation(name, Layer.toVjp forward)

    /// A layer with parameters from F# functions: `init rng` gives values in spec order, and
    /// `forward parameters x` returns `y, (dy -> dx, dparameters)`.
    let customLayer (name: string) (specs: ParameterSpec list) (init: Rng -> Tensor list)
               (forward: Tensor list -> Tensor -> Tensor * (Tensor -> Tensor * Tensor list)) : Layer =
        Layer.Create(
            name, ResizeArray specs,
            System.Func<Rng, System.Collections.Generic.IReadOnlyList<Tensor>>(fun rng -> ResizeArray(init rng)),
            System.Func<System.Collections.Generic.IReadOnlyList<Tensor>, Tensor, Vjp<Tensor[]>>(fun ps x ->
                let y, back = forward (List.ofSeq ps) x
                Vjp<Tensor[]>(y, System.Func<Tensor, Tensor[]>(fun dy -> let dx, dps = back dy in Array.ofList (dx :: dps)))))

    /// A model applying the layers in order. PyTorch: `nn.Sequential(...)`.
    let sequential (layers: Layer list) : Model = Model(layers)

    /// `Linear → ReLU → … → Linear` with the given hidden sizes. `Model.perceptron 784 [100] 10`.
    let perceptron (inputs: int) (hidden: int list) (outputs: int) : Model = Model.Perceptron(inputs, ResizeArray hidden, outputs)

    /// Fresh parameters named like PyTorch's `state_dict` (`0.weight`, `0.bias`, …) from `seed`.
    let init (seed: uint64) (model: Model) : Parameters = model.Init seed

    /// The output and `dy -> parameter gradients, input gradient`, data-last: `x |> Model.forward model p`.
    /// The model is recorded on a tape; the gradients are keyed by the parameters' `state_dict` names.
    let forward (model: Model) (parameters: Parameters) (x: Tensor) : Tensor * (Tensor -> Parameters * Tensor) =
        let tape = Tape()
        let input = tape.Input x
        let output = model.Record(tape, input, parameters)
        output.Value,
        (fun dy ->
            let g = tape.Backward(output, dy)
            Parameters.From(parameters |> Seq.map (fun p -> NamedTensor(p.Name, g.[p.Name]))), g.[input])

    /// Forward, loss and backward in one call: the output, the loss and the gradient of every parameter by name.
    let gradient (model: Model) (loss: Mlp.Training.Loss) (parameters: Parameters) (x: Tensor, labels: int[]) : LossGradient =
        model.Gradient(parameters, x, labels, loss)

    /// The output alone. PyTorch: `with torch.no_grad(): model(x)`.
    let predict (model: Model) (parameters: Parameters) (x: Tensor) : Tensor = model.Predict(parameters, x)

    /// The most likely class of each row.
    let predictClasses (model: Model) (parameters: Parameters) (x: Tensor) : int[] = model.PredictClasses(parameters, x)

    /// Layers, output shapes and parameter counts, like torchinfo.
    let summary (inputFeatures: int) (model: Model) : ModelSummary = model.Summary inputFeatures

    /// The parameter named `name` (e.g. `"0.weight"`), or None.
    let tryParameter (name: string) (parameters: Parameters) : Tensor option =
        match parameters.TryGetValue name with
        | true, t -> Some t
        | _ -> None

    /// Saves the model and parameters as safetensors that PyTorch's `load_state_dict` accepts (atomic write).
    let save (path: string) (model: Model, parameters: Parameters) : unit =
        Mlp.Serialization.ModelFile.Save(path, model, parameters, null)

    /// Loads a model file written by `save`: the model and its parameters.
    let load (path: string) : Model * Parameters =
        let m = Mlp.Serialization.ModelFile.Load path
        m.Model, m.Parameters

    /// Loads a model file whose layers include the user's own, rebuilt by `registry`
    /// (`Mlp.Models.LayerRegistry.BuiltIn.With("Scale", "Scale(f)", factory)`).
    let loadWith (registry: LayerRegistry) (path: string) : Model * Parameters =
        let m = Mlp.Serialization.ModelFile.Load(path, registry)
        m.Model, m.Parameters

    /// Loads the parameters of `model` (whose layers may be the user's own) from a model file written for it.
    let loadParameters (model: Model) (path: string) : Parameters =
        (Mlp.Serialization.ModelFile.Load(path, model)).Parameters
