namespace Mlp.Lessons;

public static partial class Lesson
{
    /// <summary>
    /// Picks up to <paramref name="count"/> random entries per input (x, w1, b1, w2, b2) of the lesson model whose
    /// ±2h perturbation keeps every first-layer relu input of the sample on the same side of 0: the entries where
    /// central finite differences of the lesson's loss are exact up to rounding (the walkthrough's check).
    /// </summary>
    /// <param name="xs">(n, in) sample rows.</param>
    /// <param name="w1">(in, hidden) first weights.</param>
    /// <param name="b1">(hidden) first bias.</param>
    /// <param name="h">The finite-difference step.</param>
    /// <param name="count">Entries wanted per tensor.</param>
    /// <param name="rng">Draws the order in which entries are tried.</param>
    /// <param name="skipped">Per tensor, how many entries were passed over for a kink.</param>
    /// <returns>Per tensor x, w1, b1, w2, b2, the flat indices picked.</returns>
    public static int[][] KinkFreeEntries(Tensor xs, Tensor w1, Tensor b1, double h, int count, Rng rng, out int[] skipped)
    {
        Tensor l1 = Linear.Forward(xs, w1, b1).Output;
        int rows = xs.Shape[0], m = xs.Shape[1], nh = w1.Shape[1];
        double margin = 2 * h;
        bool XOk(int e) { int r = e / m, i = e % m; for (int j = 0; j < nh; j++) if (Math.Abs(l1[r, j]) <= margin * Math.Abs(w1[i, j])) return false; return true; }
        bool W1Ok(int e) { int i = e / nh, j = e % nh; for (int r = 0; r < rows; r++) if (Math.Abs(l1[r, j]) <= margin * Math.Abs(xs[r, i])) return false; return true; }
        bool B1Ok(int j) { for (int r = 0; r < rows; r++) if (Math.Abs(l1[r, j]) <= margin) return false; return true; }
        Func<int, bool>[] ok = [XOk, W1Ok, B1Ok, _ => true, _ => true];
        int[] lengths = [xs.Length, w1.Length, b1.Length, nh, 1];
        var result = new int[5][];
        skipped = new int[5];
        for (int t = 0; t < 5; t++)
        {
            var picked = new List<int>();
            foreach (int e in rng.Permutation(lengths[t]))
            {
                if (picked.Count == count) break;
                if (ok[t](e)) picked.Add(e); else skipped[t]++;
            }
            result[t] = [.. picked];
        }
        return result;
    }
}
