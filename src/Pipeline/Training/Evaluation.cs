namespace Mlp.Training;

/// <summary>A model's loss and accuracy on a dataset, with per-class accuracy and the confusion matrix.</summary>
/// <param name="Count">Rows evaluated.</param>
/// <param name="Loss">The mean loss over the rows.</param>
/// <param name="Accuracy">The fraction of rows whose predicted class (argmax) is the label.</param>
/// <param name="ClassAccuracy">For each class, the fraction of its rows predicted correctly (recall); NaN for a class with no rows.</param>
/// <param name="Confusion"><c>Confusion[label][predicted]</c>: how many rows of each class went to each prediction.</param>
public sealed record Evaluation(int Count, double Loss, double Accuracy, IReadOnlyList<double> ClassAccuracy, int[][] Confusion);
