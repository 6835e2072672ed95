using Microsoft.ML.Transforms;

namespace Mlp.MLNet;

/// <summary>The (empty) input of the placeholder that stands for an Mlp stage inside an ML.NET model file.</summary>
public sealed class MlpStageInput
{
}

/// <summary>The output of the placeholder that stands for an Mlp stage inside an ML.NET model file.</summary>
public sealed class MlpStageOutput
{
    /// <summary>Never produced: reading it throws, saying how to load the model.</summary>
    public bool MlpStage { get; set; }
}

/// <summary>
/// The <c>CustomMapping</c> factory ML.NET finds (by contract name, after <c>ComponentCatalog.RegisterAssembly</c>) for
/// each Mlp stage of a file written by <see cref="MlpModelFile.SaveMlpModel"/>. The stage's weights are in the same
/// file, in Mlp's own safetensors format; <see cref="MlpModelFile.LoadMlpModel"/> swaps each placeholder for the real
/// <see cref="MlpTransformer"/>. Loaded by plain <c>mlContext.Model.Load</c>, the placeholder refuses to score.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class MlpStageFactory : CustomMappingFactory<MlpStageInput, MlpStageOutput>
{
    /// <summary>The contract name written into ML.NET's model file.</summary>
    public const string ContractName = "Mlp.MLNet.MlpStage/1";

    /// <summary>The message of the placeholder's refusal.</summary>
    public const string LoadHint =
        "This model contains an Mlp stage whose weights ML.NET's Model.Load does not read. Load it with mlContext.LoadMlpModel(path) (namespace Mlp.MLNet).";

    /// <summary>A mapping that throws <see cref="InvalidOperationException"/> with <see cref="LoadHint"/>.</summary>
    public override Action<MlpStageInput, MlpStageOutput> GetMapping() => Refuse;

    internal static void Refuse(MlpStageInput input, MlpStageOutput output) => throw new InvalidOperationException(LoadHint);
}
