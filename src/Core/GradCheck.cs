namespace Mlp;

/// <summary>The comparison of one input's analytic gradient with central finite differences.</summary>
/// <param name="Name">The input's name or position.</param>
/// <param name="EntriesChecked">How many entries were perturbed.</param>
/// <param name="MaxAbsError">max |g − ĝ| over the checked entries.</param>
/// <param name="MaxRelativeError">max |g − ĝ| / max(|g|, |ĝ|) over the checked entries (0 where both are 0).</param>
/// <param name="NormRelativeError">‖g − ĝ‖ / ‖ĝ‖ over the checked entries (<see cref="ErrorNorm"/>, the finite differences ĝ as the reference): the headline number.</param>
public sealed record GradCheckResult(string Name, int EntriesChecked, double MaxAbsError, double MaxRelativeError, double NormRelativeError);

/// <summary>
/// Checks tape gradients against central finite differences <c>(f(x+h) − f(x−h)) / 2h</c>, computed in double
/// from float32 forward passes (PyTorch: <c>torch.autograd.gradcheck</c>, which uses float64).
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Builds <paramref name="f"/> on a fresh tape from leaves holding <paramref name="inputs"/>, takes its gradients,
    /// and compares up to <paramref name="entriesPerInput"/> randomly chosen entries of each input's gradient with
    /// central differences of step <paramref name="step"/>.
    /// </summary>
    /// <param name="f">Builds a one-element result from the leaves (in the order of <paramref name="inputs"/>).</param>
    /// <param name="inputs">The inputs and parameters, by name.</param>
    /// <param name="step">The finite-difference step h.</param>
    /// <param name="entriesPerInput">Entries checked per input; all of them when the input is smaller.</param>
    /// <param name="seed">Chooses which entries are checked.</param>
    /// <exception cref="ArgumentException"><paramref name="f"/> does not return a one-element result.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive and finite, or <paramref name="entriesPerInput"/> is not positive.</exception>
    public static IReadOnlyList<GradCheckResult> Check(
        Func<Tape, Node[], Node> f, IReadOnlyList<KeyValuePair<string, Tensor>> inputs, double step, int entriesPerInput, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(step > 0) || double.IsInfinity(step))
            throw new ArgumentOutOfRangeException(nameof(step), step, "The finite-difference step must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entriesPerInput); // zero entries would check nothing and report no error
        Tensor[] values = inputs.Select(kv => kv.Value).ToArray();

        var tape = new Tape();
        Node[] leaves = inputs.Select(kv => tape.Parameter(kv.Key, kv.Value)).ToArray();
        Node outNode = f(tape, leaves);
        if (outNode.Value.Length != 1)
            throw new ArgumentException($"GradCheck needs a one-element result; got shape {Tensor.ShapeString(outNode.Value.Shape)}.", nameof(f));
        Gradients grads = tape.Backward(outNode);

        var rng = new Rng(seed);
        int[][] entries = values.Select(v => v.Length <= entriesPerInput ? Enumerable.Range(0, v.Length).ToArray() : rng.Permutation(v.Length)[..entriesPerInput]).ToArray();
        return Compare(f, inputs, values, grads, leaves, step, entries);
    }

    /// <summary>
    /// Like <see cref="Check"/>, but compares exactly the flat entries listed per input (for instance entries whose
    /// ±h perturbation does not cross a relu kink, where a finite difference is meaningless).
    /// </summary>
    /// <param name="f">Builds a one-element result from the leaves (in the order of <paramref name="inputs"/>).</param>
    /// <param name="inputs">The inputs and parameters, by name.</param>
    /// <param name="step">The finite-difference step h.</param>
    /// <param name="entries">For each input, the flat indices to check.</param>
    /// <exception cref="ArgumentException">The lists do not match the inputs, an index is out of range, or <paramref name="f"/> does not return a one-element result.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive and finite.</exception>
    public static IReadOnlyList<GradCheckResult> CheckEntries(
        Func<Tape, Node[], Node> f, IReadOnlyList<KeyValuePair<string, Tensor>> inputs, double step, int[][] entries)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(entries);
        if (!(step > 0) || double.IsInfinity(step))
            throw new ArgumentOutOfRangeException(nameof(step), step, "The finite-difference step must be positive and finite.");
        if (entries.Length != inputs.Count)
            throw new ArgumentException($"GradCheck: {entries.Length} entry lists for {inputs.Count} inputs.", nameof(entries));
        Tensor[] values = inputs.Select(kv => kv.Value).ToArray();
        for (int i = 0; i < values.Length; i++)
            foreach (int e in entries[i])
                if ((uint)e >= (uint)values[i].Length)
                    throw new ArgumentException($"GradCheck: entry {e} is outside input '{inputs[i].Key}' of shape {Tensor.ShapeString(values[i].Shape)}.", nameof(entries));
        var tape = new Tape();
        Node[] leaves = inputs.Select(kv => tape.Parameter(kv.Key, kv.Value)).ToArray();
        Node outNode = f(tape, leaves);
        if (outNode.Value.Length != 1)
            throw new ArgumentException($"GradCheck needs a one-element result; got shape {Tensor.ShapeString(outNode.Value.Shape)}.", nameof(f));
        return Compare(f, inputs, values, tape.Backward(outNode), leaves, step, entries);
    }

    private static List<GradCheckResult> Compare(Func<Tape, Node[], Node> f, IReadOnlyList<KeyValuePair<string, Tensor>> inputs,
        Tensor[] values, Gradients grads, Node[] leaves, double step, int[][] entriesPerInput)
    {
        double Eval(Tensor[] vals)
        {
            var t = new Tape();
            Node[] ls = vals.Select(t.Input).ToArray();
            return f(t, ls).Value.ToScalar();
        }

        var results = new List<GradCheckResult>();
        for (int i = 0; i < values.Length; i++)
        {
            Tensor analytic = grads[leaves[i]];
            int[] entries = entriesPerInput[i];
            double maxRel = 0;
            var norm = new ErrorNorm();
            float[] buf = values[i].ToArray();
            int[] shape = values[i].ShapeArray();
            foreach (int e in entries)
            {
                float orig = buf[e];
                var perturbed = (Tensor[])values.Clone();
                buf[e] = (float)(orig + step);
                double hPlus = buf[e] - (double)orig; // the step float32 can actually represent
                perturbed[i] = new Tensor((float[])buf.Clone(), shape);
                double up = Eval(perturbed);
                buf[e] = (float)(orig - step);
                double hMinus = orig - (double)buf[e];
                perturbed[i] = new Tensor((float[])buf.Clone(), shape);
                double down = Eval(perturbed);
                buf[e] = orig;

                double numeric = (up - down) / (hPlus + hMinus);
                double a = analytic.Data[e];
                double err = Math.Abs(a - numeric);
                double scale = Math.Max(Math.Abs(a), Math.Abs(numeric));
                if (scale > 0) maxRel = Math.Max(maxRel, err / scale);
                norm.Add(a, numeric);
            }
            results.Add(new GradCheckResult(inputs[i].Key, entries.Length, norm.MaxAbsError, maxRel, norm.NormRelativeError));
        }
        return results;
    }
}
