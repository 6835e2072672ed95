namespace Mlp.Tests.Core;

/// <summary>The one softmax (src/Core/Layers/Softmax.cs), which cross-entropy, log-softmax and ML.NET scoring call.</summary>
public class SoftmaxTests
{
    [Fact]
    public void Softmax_of_0_and_ln3_is_a_quarter_and_three_quarters()
    {
        var p = Softmax.Rows(Tensor.FromArray([0f, MathF.Log(3f), 5f, 5f], 2, 2)).ToArray();
        Assert.Equal(0.25f, p[0], 1e-6f);
        Assert.Equal(0.75f, p[1], 1e-6f);
        Assert.Equal(0.5f, p[2], 1e-6f);
        Assert.Equal(0.5f, p[3], 1e-6f);
    }

    [Fact]
    public void Huge_logits_do_not_overflow_and_each_row_sums_to_one()
    {
        var x = Tensor.FromArray([1000f, 999f, -1000f, 88f, 89f, 90f], 2, 3);
        var p = Softmax.Rows(x).ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1.0, p[0] + p[1] + p[2], 6);
        Assert.Equal(1.0, p[3] + p[4] + p[5], 6);
        // e⁰/(e⁰ + e⁻¹) for the first row's top entry.
        Assert.Equal(1 / (1 + Math.Exp(-1)), p[0], 6);
    }

    [Fact]
    public void Softmax_is_the_exponential_of_log_softmax_and_the_cross_entropy_gradient_is_softmax_minus_onehot_over_n()
    {
        var x = new Rng(4).Normal(3, 5);
        var p = Softmax.Rows(x).ToArray();
        var logp = LogSoftmax.Forward(x).Output.ToArray();
        for (int i = 0; i < p.Length; i++) Assert.Equal(Math.Exp(logp[i]), p[i], 6);
        int[] labels = [1, 4, 0];
        var dx = CrossEntropy.Forward(x, labels).Backward(Tensor.Ones()).ToArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal((p[i * 5 + j] - (labels[i] == j ? 1f : 0f)) / 3f, dx[i * 5 + j], 6);
    }

    [Fact]
    public void Every_row_length_gives_the_bits_of_the_scalar_formula()
    {
        // The exponentials and the division by the row's sum run eight at a time where the CPU has vectors; they must round
        // exactly as the scalar form p = (float)((float)exp(x − m) / Σ exp(x − m)) does (exp: ExpKernel's scalar form, the
        // specification; ExpKernelTests hold it to the C library's), for rows shorter than a vector, of whole vectors, with
        // tails, and with logits far apart (tiny probabilities).
        for (int c = 1; c <= 33; c++)
        {
            var x = new Rng(c).Normal(3, c) * 6f;
            float[] p = Softmax.Rows(x).ToArray();
            for (int i = 0; i < 3; i++)
            {
                float[] row = x.ToArray().AsSpan(i * c, c).ToArray();
                float m = row.Max();
                double s = 0;
                var e = new float[c];
                for (int j = 0; j < c; j++)
                {
                    double v = Mlp.Kernels.ExpKernel.Exp(row[j] - m);
                    e[j] = (float)v;
                    s += v;
                }
                for (int j = 0; j < c; j++)
                    Assert.Equal(BitConverter.SingleToInt32Bits((float)(e[j] / s)), BitConverter.SingleToInt32Bits(p[i * c + j]));
            }
        }
    }

    [Fact]
    public void Rows_in_groups_give_the_bits_of_one_row_at_a_time()
    {
        // RowsInto runs short rows eight at a time, a row per lane; every row's probabilities and logsumexp must be Row's bits,
        // for group counts with and without leftover rows, and for groups holding a row with a NaN, a +∞ or only −∞ (those
        // groups go row by row) or a −∞ beside finite logits (which stays in the group: e^−∞ = 0).
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (int c = 1; c <= 17; c++)
            foreach (int n in new[] { 1, 7, 8, 9, 16, 19 })
                for (int special = -1; special < 4; special++)
                {
                    float[] x = (new Rng(100 * c + n).Normal(n, c) * 8f).ToArray();
                    if (special >= 0 && n > 5)
                    {
                        if (special < 3) x[5 * c + c / 2] = specials[special];
                        else for (int j = 0; j < c; j++) x[5 * c + j] = float.NegativeInfinity;
                    }
                    var p = new float[n * c];
                    var lse = new float[n];
                    Softmax.RowsInto(x, n, c, p, lse);
                    for (int i = 0; i < n; i++)
                    {
                        var q = new float[c];
                        float l = Softmax.Row(x.AsSpan(i * c, c), q);
                        Assert.Equal(BitConverter.SingleToInt32Bits(l), BitConverter.SingleToInt32Bits(lse[i]));
                        for (int j = 0; j < c; j++)
                            Assert.True(BitConverter.SingleToInt32Bits(q[j]) == BitConverter.SingleToInt32Bits(p[i * c + j]),
                                $"c {c}, n {n}, special {special}: p[{i}, {j}] = {p[i * c + j]:R}, one row at a time {q[j]:R}");
                    }
                }
    }

    [Fact]
    public void A_tensor_that_is_not_a_matrix_is_rejected_naming_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Softmax.Rows(Tensor.Zeros(4)));
        Assert.Contains("(4,)", e.Message);
    }
}
