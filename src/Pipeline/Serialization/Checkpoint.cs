using Mlp.Models;
using Mlp.Optim;
using Mlp.Training;

namespace Mlp.Serialization;

/// <summary>
/// Everything needed to resume training bit for bit: the model, the optimizer and its state, the options (batch size,
/// shuffle seed, loss, epochs) and the training state (parameters, position in the batch stream, history).
/// PyTorch: the usual <c>{'model': …, 'optimizer': …, 'epoch': …}</c> dictionary, plus the data-order position.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Optimizer">The optimizer (<see cref="Sgd"/> or <see cref="Adam"/> can be saved).</param>
/// <param name="Options">The training options.</param>
/// <param name="State">Where training is.</param>
/// <param name="Metadata">Extra string metadata carried along (e.g. normalization statistics).</param>
public sealed record Checkpoint(Model Model, IOptimizer Optimizer, TrainingOptions Options, TrainingState State, IReadOnlyDictionary<string, string> Metadata);
