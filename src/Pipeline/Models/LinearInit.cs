namespace Mlp.Models;

/// <summary>How <see cref="Layer.Linear(int, int, LinearInit)"/> initializes its weight and bias.</summary>
public enum LinearInit
{
    /// <summary>PyTorch <c>nn.Linear</c>'s default: weight and bias U(±1/√in) (<see cref="Mlp.Init.TorchLinearDefault"/>).</summary>
    TorchDefault,
    /// <summary>The lesson's Kaiming normal for relu, std √(2/in), and a zero bias (<see cref="Mlp.Init.KaimingNormal"/>).</summary>
    KaimingNormal,
}
