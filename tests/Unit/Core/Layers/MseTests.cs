namespace Mlp.Tests.Core;

/// <summary>Mean squared error with the lesson's squeeze(-1) (src/Core/Layers/Mse.cs).</summary>
public class MseTests
{
    [Fact]
    public void Mse_of_an_n_by_1_output_against_an_n_target_is_the_mean_squared_difference()
    {
        var output = Tensor.FromArray([1, 2, 4], 3, 1);
        var target = Tensor.FromArray([0, 2, 1], 3);
        // ((1−0)² + 0² + (4−1)²)/3 = 10/3
        Assert.Equal(10f / 3f, Mse.Forward(output, target).Output.ToScalar(), 1e-6f);
    }

    [Fact]
    public void Mse_loss_is_a_scalar()
    {
        Assert.Equal(0, Mse.Forward(Tensor.Zeros(5, 1), Tensor.Zeros(5)).Output.Rank);
    }

    [Fact]
    public void Mse_of_an_n_output_against_an_n_target_works_without_squeezing()
    {
        var loss = Mse.Forward(Tensor.FromArray([1, 2], 2), Tensor.FromArray([3, 2], 2)).Output;
        Assert.Equal(2f, loss.ToScalar());
    }

    [Fact]
    public void Mse_of_a_single_example_works_for_both_output_layouts()
    {
        Assert.Equal(4f, Mse.Forward(Tensor.FromArray([3f], 1, 1), Tensor.FromArray([1f], 1)).Output.ToScalar());
        Assert.Equal(4f, Mse.Forward(Tensor.FromArray([3f], 1), Tensor.FromArray([1f], 1)).Output.ToScalar());
    }

    [Fact]
    public void Mse_of_n_by_1_against_n_by_1_is_an_error_instead_of_a_silent_n_by_n_broadcast()
    {
        // The lesson's mse squeezes the output to (n); a (n,1) target would broadcast to (n,n) in PyTorch.
        var e = Assert.Throws<ArgumentException>(() => Mse.Forward(Tensor.Zeros(4, 1), Tensor.Zeros(4, 1)));
        Assert.Contains("(4, 1)", e.Message);
        Assert.Contains("(4,)", e.Message);
    }

    [Fact]
    public void Mse_with_a_different_number_of_rows_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Mse.Forward(Tensor.Zeros(4, 1), Tensor.Zeros(5)));
        Assert.Contains("(4, 1)", e.Message);
        Assert.Contains("(5,)", e.Message);
        Assert.Throws<ArgumentException>(() => Mse.Forward(Tensor.Zeros(4, 2), Tensor.Zeros(4)));
    }

    [Fact]
    public void Mse_of_an_empty_batch_is_an_error_not_a_silent_NaN()
    {
        var e = Assert.Throws<ArgumentException>(() => Mse.Forward(Tensor.Zeros(0, 1), Tensor.Zeros(0)));
        Assert.Contains("(0, 1)", e.Message);
    }

    [Fact]
    public void Mse_gradient_is_two_times_the_error_over_n_shaped_like_the_output()
    {
        var output = Tensor.FromArray([1, 2, 4, -1], 4, 1);
        var target = Tensor.FromArray([0, 2, 1, 1], 4);
        var grad = Mse.Forward(output, target).Backward(Tensor.Scalar(1));
        Assert.Equal([4, 1], grad.ShapeArray());
        // 2(ŷ − y)/n with n = 4: [2, 0, 6, −4]/4
        Assert.Equal([0.5f, 0f, 1.5f, -1f], grad.ToArray());
    }

    [Fact]
    public void Mse_gradient_scales_with_the_incoming_loss_gradient()
    {
        var back = Mse.Forward(Tensor.FromArray([3, 1], 2), Tensor.FromArray([1, 1], 2)).Backward;
        Assert.Equal([2f, 0f], back(Tensor.Scalar(1)).ToArray());
        Assert.Equal([-6f, 0f], back(Tensor.Scalar(-3)).ToArray());
        Assert.Equal([2], back(Tensor.Ones()).ShapeArray());
    }

    [Fact]
    public void Mse_gradient_matches_the_lessons_mse_grad_on_real_sized_batches()
    {
        // The lesson: inp.g = 2. * (inp.squeeze() − targ).unsqueeze(−1) / inp.shape[0]
        var rng = new Rng(4);
        var output = rng.Normal(1000, 1);
        var target = rng.Normal(1000);
        var grad = Mse.Forward(output, target).Backward(Tensor.Scalar(1));
        var lesson = (output.Squeeze(-1) - target).Unsqueeze(-1) * 2f / 1000f;
        Assert.True(grad.AllClose(lesson, 1e-6, 1e-9));
    }
}
