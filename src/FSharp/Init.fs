namespace Mlp.FSharp

open Mlp

/// Seeded random streams and weight initializers for Mlp's (in, out) weight layout.
[<RequireQualifiedAccess>]
module Init =
    /// A random stream for `seed`; the same seed gives the same numbers everywhere.
    let rng (seed: uint64) : Rng = Rng seed

    /// The lesson's `randn(in, out) / √in` (LeCun normal): an (inFeatures, outFeatures) weight.
    let lecunNormal (inFeatures: int) (outFeatures: int) (rng: Rng) : Tensor = Init.LeCunNormal(rng, inFeatures, outFeatures)

    /// Kaiming (He) normal, N(0, (gain/√fan)²): an (inFeatures, outFeatures) weight. PyTorch: `kaiming_normal_`.
    let kaimingNormal (mode: FanMode) (gain: Gain) (inFeatures: int) (outFeatures: int) (rng: Rng) : Tensor =
        Init.KaimingNormal(rng, inFeatures, outFeatures, mode, gain)

    /// Kaiming (He) uniform, U(±gain·√(3/fan)): an (inFeatures, outFeatures) weight. PyTorch: `kaiming_uniform_`.
    let kaimingUniform (mode: FanMode) (gain: Gain) (inFeatures: int) (outFeatures: int) (rng: Rng) : Tensor =
        Init.KaimingUniform(rng, inFeatures, outFeatures, mode, gain)

    /// PyTorch `nn.Linear`'s default init: the (in, out) weight and the (out) bias.
    let torchLinearDefault (inFeatures: int) (outFeatures: int) (rng: Rng) : Tensor * Tensor =
        let struct (w, b) = Init.TorchLinearDefault(rng, inFeatures, outFeatures)
        w, b
