using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mlp.Tests.Properties.Pipeline;

public class CrossEntropyLaws
{
    private static Arbitrary<(float[] Logits, int[] Labels, int N, int C)> Cases() =>
        (from n in Gen.Choose(1, 8)
         from c in Gen.Choose(1, 12)
         from logits in Gen.ArrayOf(Gen.Choose(-20000, 20000).Select(v => v / 1000f), n * c)
         from labels in Gen.ArrayOf(Gen.Choose(0, c - 1), n)
         select (logits, labels, n, c)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Cross_entropy_gradient_is_softmax_minus_onehot_over_n() =>
        Prop.ForAll(Cases(), t =>
        {
            var x = Tensor.FromArray(t.Logits, t.N, t.C);
            var g = CrossEntropy.Forward(x, t.Labels).Backward(Tensor.Ones());
            for (int i = 0; i < t.N; i++)
            {
                double max = double.NegativeInfinity, z = 0;
                for (int j = 0; j < t.C; j++) max = Math.Max(max, x[i, j]);
                for (int j = 0; j < t.C; j++) z += Math.Exp(x[i, j] - max);
                for (int j = 0; j < t.C; j++)
                {
                    double expected = (Math.Exp(x[i, j] - max) / z - (j == t.Labels[i] ? 1 : 0)) / t.N;
                    if (Math.Abs(g[i, j] - expected) > 1e-6) return false;
                }
            }
            return true;
        });

    [Property(MaxTest = 300)]
    public Property Cross_entropy_gradient_rows_sum_to_zero_and_the_loss_is_non_negative() =>
        Prop.ForAll(Cases(), t =>
        {
            var (loss, back) = CrossEntropy.Forward(Tensor.FromArray(t.Logits, t.N, t.C), t.Labels);
            var g = back(Tensor.Ones());
            for (int i = 0; i < t.N; i++)
            {
                double s = 0;
                for (int j = 0; j < t.C; j++) s += g[i, j];
                if (Math.Abs(s) > 1e-6) return false;   // Σ_j softmax = 1 = Σ_j onehot
            }
            return loss.ToScalar() >= 0 && float.IsFinite(loss.ToScalar());
        });

    [Property(MaxTest = 200)]
    public Property Cross_entropy_does_not_change_when_a_constant_is_added_to_a_row() =>
        Prop.ForAll(Cases(), Gen.Choose(-50, 50).ToArbitrary(), (t, k) =>
        {
            var x = Tensor.FromArray(t.Logits, t.N, t.C);
            float a = CrossEntropy.Forward(x, t.Labels).Output.ToScalar();
            float b = CrossEntropy.Forward(x + (float)k, t.Labels).Output.ToScalar();
            return Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a));   // softmax is shift-invariant; logsumexp keeps it exact
        });
}
