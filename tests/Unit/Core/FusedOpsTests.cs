using Mlp.Kernels;
using static Mlp.Tests.Core.GemmReference;

namespace Mlp.Tests.Core;

/// <summary>The fused linear + relu ops against the unfused ops they replace, bit for bit.</summary>
public class FusedOpsTests
{
    // The lesson's batch and a full-size slice (n = 50 outputs, 784 inputs), a product that crosses k blocks with tails, a tiny one.
    private static readonly (int Rows, int In, int Out)[] Shapes = [(64, 784, 50), (300, 784, 50), (37, 129, 19), (3, 5, 2)];

    private static (Tensor X, Tensor W, Tensor B) Operands(int rows, int ins, int outs, int seed) =>
        (Tensor.FromArray(Random(rows * ins, seed), rows, ins), Tensor.FromArray(Random(ins * outs, seed + 1), ins, outs),
         Tensor.FromArray(Random(outs, seed + 2), outs));

    private static float[] Relu(float[] pre, float shift)
    {
        var y = new float[pre.Length];
        ReluKernels.Forward(pre, shift, y, SimdPath.Scalar);
        return y;
    }

    [Fact]
    public void LinearRelu_equals_matmul_plus_bias_then_the_shifted_relu_bit_for_bit()
    {
        int seed = 1;
        foreach (var (rows, ins, outs) in Shapes)
            foreach (float shift in new[] { 0f, -0.5f })
            {
                var (x, w, b) = Operands(rows, ins, outs, seed += 3);
                float[] pre = Linear.Forward(x, w, b).Output.ToArray();
                var (y, keptPre) = Ops.LinearRelu(x, w, b, shift, keepPreActivation: true);
                Assert.Equal(pre, keptPre!.ToArray());
                Assert.Equal(Relu(pre, shift), y.ToArray());
                Assert.Null(Ops.LinearRelu(x, w, b, shift).PreActivation);
            }
    }

    [Fact]
    public void LinearReluBackward_equals_the_relu_backward_then_the_linear_backward_bit_for_bit()
    {
        int seed = 100;
        foreach (var (rows, ins, outs) in Shapes)
            foreach (float shift in new[] { 0f, -0.5f })
            {
                var (x, w, b) = Operands(rows, ins, outs, seed += 4);
                var dy = Tensor.FromArray(Random(rows * outs, seed + 3), rows, outs);
                var (y, pre) = Ops.LinearRelu(x, w, b, shift, keepPreActivation: true);
                // Unfused: dl = dy ⊙ [pre > 0]; dw = xᵀ·dl; db = Σ_rows dl; dx = dl·wᵀ.
                var dlData = new float[rows * outs];
                ReluKernels.Backward(pre!.ToArray(), dy.ToArray(), dlData, SimdPath.Scalar);
                var dl = Tensor.FromArray(dlData, rows, outs);
                // With shift 0 the output is the mask; otherwise the pre-activation is.
                Tensor mask = shift == 0f ? y : pre;
                foreach (bool inputGradient in new[] { true, false })
                {
                    var (dx, dw, db) = Ops.LinearReluBackward(x, w, mask, dy, inputGradient);
                    Assert.Equal(Ops.MatMul(x, dl, transposeA: true, transposeB: false).ToArray(), dw.ToArray());
                    Assert.Equal(Ops.SumRows(dl).ToArray(), db.ToArray());
                    if (inputGradient) Assert.Equal(Ops.MatMul(dl, w, transposeA: false, transposeB: true).ToArray(), dx!.ToArray());
                    else Assert.Null(dx);
                }
            }
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("Vector256")]
    [InlineData("Vector512")]
    [InlineData("Auto")]
    public void The_masked_row_sum_kernel_equals_a_double_accumulation_in_row_order_on_every_path(string pathName)
    {
        var path = Enum.Parse<SimdPath>(pathName);
        foreach (int cols in new[] { 1, 7, 8, 16, 50, 53 })
        {
            int rows = 41;
            float[] pre = Random(rows * cols, cols), dy = Random(rows * cols, cols + 1);
            pre[0] = 0f; // relu'(0) = 0
            var d = new float[rows * cols];
            var sums = new double[cols];
            ReluKernels.BackwardSumRows(pre, dy, d, sums, cols, path);
            var expected = new double[cols];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                {
                    float v = pre[i * cols + j] > 0f ? dy[i * cols + j] : 0f;
                    Assert.Equal(v, d[i * cols + j]);
                    expected[j] += v;
                }
            Assert.Equal(expected, sums);
        }
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_with_the_shapes()
    {
        var (x, w, b) = Operands(4, 3, 2, 9);
        var e = Assert.Throws<ArgumentException>(() => Ops.LinearRelu(x, Tensor.Zeros(4, 2), b));
        Assert.Contains("w (4, 2)", e.Message);
        var bad = Tensor.Zeros(4, 3);
        e = Assert.Throws<ArgumentException>(() => Ops.LinearReluBackward(x, w, bad, Tensor.Zeros(4, 2), true));
        Assert.Contains("mask (4, 3)", e.Message);
    }
}
