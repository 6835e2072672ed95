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

    /// The leaky relu layer value. PyTorch: `nn.LeakyReLU(slope)`.
    let leakyReluLayer (slope: float32) : Layer = Layer.LeakyRelu slope

    /// The tanh layer value. PyTorch: `nn.Tanh()`.
    let tanhLayer : Layer = Layer.Tanh()

    /// The sigmoid layer value. PyTorch: `nn.Sigmoid()`.
    let sigmoidLayer : Layer = Layer.Sigmoid()

    /// The exact GELU layer value. PyTorch: `nn.GELU()`.
    let geluLayer : Layer = Layer.Gelu GeluApproximation.None

    /// The tanh-approximated GELU layer value. PyTorch: `nn.GELU(approximate='tanh')`.
    let geluTanhLayer : Layer = Layer.Gelu GeluApproximation.Tanh

    /// The softmax layer value over the features. PyTorch: `nn.Softmax(dim=1)`.
    let softmaxLayer : Layer = Layer.Softmax 1

    /// The log-softmax layer value over the features. PyTorch: `nn.LogSoftmax(dim=1)`.
    let logSoftmaxLayer : Layer = Layer.LogSoftmax 1

    /// The dropout layer value: drops with probability `p` in training (masks from each step's seed), the identity in
    /// evaluation. PyTorch: `nn.Dropout(p)`.
    let dropoutLayer (p: float) : Layer = Layer.Dropout p

    /// The BatchNorm1d layer value over `features` columns with PyTorch's defaults (eps 1e-5, momentum 0.1, affine);
    /// its running statistics are buffers that training returns. PyTorch: `nn.BatchNorm1d(features)`.
    let batchNorm1dLayer (features: int) : Layer = Layer.BatchNorm1d features

    /// The model a spec describes, layers as PyTorch writes them:
    /// `Model.parse "Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.1) Linear(256, 10)"` (the model's `spec` reads back).
    let parse (spec: string) : Model = Model.Parse spec

    /// The model's spec, which `Model.parse` reads back into an equal model.
    let spec (model: Model) : string = model.Spec

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

    /// The initial buffers (BatchNorm1d's running mean 0, variance 1, count 0); empty for a model without any.
    let initBuffers (model: Model) : Buffers = model.InitBuffers()

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

    /// The output alone, in evaluation mode. PyTorch: `with torch.no_grad(): model(x)`.
    let predict (model: Model) (parameters: Parameters) (x: Tensor) : Tensor = model.Predict(parameters, x)

    /// The output alone in evaluation mode with the model's buffers (BatchNorm1d's running statistics):
    /// `x |> Model.predictWith model (parameters, buffers)`. PyTorch: `model.eval(); model(x)`.
    let predictWith (model: Model) (parameters: Parameters, buffers: Buffers) (x: Tensor) : Tensor = model.Predict(parameters, buffers, x)

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

    /// Saves the model, parameters and buffers (running statistics, as PyTorch's `N.running_mean` …) as safetensors.
    let saveWith (path: string) (model: Model, parameters: Parameters, buffers: Buffers) : unit =
        Mlp.Serialization.ModelFile.Save(path, model, parameters, buffers, null)

    /// Loads a model file: the model (from the file's own spec), its parameters and its buffers.
    let loadAll (path: string) : Model * Parameters * Buffers =
        let m = Mlp.Serialization.ModelFile.Load path
        m.Model, m.Parameters, m.Buffers

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
