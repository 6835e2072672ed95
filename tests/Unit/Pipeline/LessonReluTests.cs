using Mlp.Lessons;
namespace Mlp.Tests.Pipeline;

/// <summary>The lesson's two relus: plain until its init section, clamp_min(0.) − 0.5 from there on.</summary>
public class LessonReluTests
{
    private static (Tensor X, Tensor W1, Tensor B1, Tensor W2, Tensor B2, Tensor Y) Case()
    {
        var rng = new Rng(5);
        return (rng.Normal(6, 4), rng.Normal(4, 3), rng.Normal(3), rng.Normal(3, 1), rng.Normal(1), rng.Normal(6));
    }

    [Fact]
    public void The_shifted_model_output_is_the_plain_output_minus_half_the_sum_of_w2()
    {
        var (x, w1, b1, w2, b2, _) = Case();
        Tensor plain = Lesson.Forward(x, w1, b1, w2, b2, LessonRelu.Plain);
        Tensor shifted = Lesson.Forward(x, w1, b1, w2, b2, LessonRelu.Shifted);
        float offset = -0.5f * w2.Sum().ToScalar();
        for (int i = 0; i < 6; i++)
            Assert.Equal(plain[i, 0] + offset, shifted[i, 0], 4); // float32: the two sums round differently in the last place
    }

    [Fact]
    public void The_shifted_relus_w2_gradient_is_the_plain_one_minus_half_the_sum_of_the_output_gradient()
    {
        // dw2 = l2ᵀ·dout, and the shift lowers every l2 by 0.5; the output gradient itself differs because out moved.
        var (x, w1, b1, w2, b2, y) = Case();
        var s = Lesson.WithTape(x, w1, b1, w2, b2, y, LessonRelu.Shifted);
        Tensor dOut = (s.Output.Squeeze(-1) - y) * (2f / 6);
        Tensor l2 = Relu.Forward(Linear.Forward(x, w1, b1).Output).Output - 0.5f;
        for (int j = 0; j < 3; j++)
        {
            double expected = 0;
            for (int i = 0; i < 6; i++) expected += (double)l2[i, j] * dOut[i];
            Assert.Equal(expected, s.Dw2[j, 0], 5);
        }
        var hand = Lesson.HandChained(x, w1, b1, w2, b2, y, LessonRelu.Shifted);
        Assert.Equal(s.Dw1.ToArray(), hand.Dw1.ToArray());
        Assert.Equal(s.Dw2.ToArray(), hand.Dw2.ToArray());
        Assert.NotEqual(Lesson.WithTape(x, w1, b1, w2, b2, y, LessonRelu.Plain).Dw2.ToArray(), s.Dw2.ToArray());
    }
}
