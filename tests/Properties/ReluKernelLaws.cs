using FsCheck;
using FsCheck.Xunit;
using Mlp.Kernels;

namespace Mlp.Tests.Properties;

/// <summary>
/// Every vector path of the relu kernels equals the scalar path (the specification) bit for bit, forward and
/// backward, at every length 0…256 and for NaN, ±0 and ±∞. NaN results are compared as NaN: which NaN payload an
/// addition keeps is the hardware's choice, not part of the contract.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 300)]
public class ReluKernelLaws
{
    private static readonly SimdPath[] VectorPaths = [SimdPath.Vector512, SimdPath.Vector256, SimdPath.Auto];

    private static readonly float[] Specials =
        [float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1f, -1f, float.MaxValue, float.MinValue];

    private static int Bits(float v) => float.IsNaN(v) ? int.MinValue : BitConverter.SingleToInt32Bits(v);

    private static void AssertPathsAgree(float[] x, float[] dy, float shift)
    {
        int n = x.Length;
        var fwdScalar = new float[n];
        var bwdScalar = new float[n];
        ReluKernels.Forward(x, shift, fwdScalar, SimdPath.Scalar);
        ReluKernels.Backward(x, dy, bwdScalar, SimdPath.Scalar);
        foreach (var path in VectorPaths)
        {
            var fwd = new float[n];
            var bwd = new float[n];
            ReluKernels.Forward(x, shift, fwd, path);
            ReluKernels.Backward(x, dy, bwd, path);
            for (int i = 0; i < n; i++)
            {
                if (Bits(fwdScalar[i]) != Bits(fwd[i]))
                    Assert.Fail($"{path} forward, n = {n}, i = {i}: x = {x[i]:R}, shift = {shift:R}: {fwd[i]:R} vs scalar {fwdScalar[i]:R}");
                if (Bits(bwdScalar[i]) != Bits(bwd[i]))
                    Assert.Fail($"{path} backward, n = {n}, i = {i}: x = {x[i]:R}, dy = {dy[i]:R}: {bwd[i]:R} vs scalar {bwdScalar[i]:R}");
            }
        }
    }

    [Fact]
    public void The_scalar_path_is_the_specification()
    {
        // max(x, 0) + shift with relu'(x) = [x > 0]; NaN propagates forward and masks to 0 backward.
        float[] x = [-1f, -0f, 0f, 2f, float.NaN, float.NegativeInfinity, float.PositiveInfinity];
        float[] dy = [5f, 5f, 5f, 5f, 5f, 5f, 5f];
        var f = new float[7];
        var b = new float[7];
        ReluKernels.Forward(x, -0.5f, f, SimdPath.Scalar);
        ReluKernels.Backward(x, dy, b, SimdPath.Scalar);
        Assert.Equal([-0.5f, -0.5f, -0.5f, 1.5f], f[..4]);
        Assert.True(float.IsNaN(f[4]));
        Assert.Equal([-0.5f, float.PositiveInfinity], f[5..]);
        Assert.Equal([0f, 0f, 0f, 5f, 0f, 0f, 5f], b);
        var plain = new float[2];
        ReluKernels.Forward([-0f, -3f], 0f, plain, SimdPath.Scalar);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(plain[0])); // relu(−0) = +0, as clamp_min(0) gives
        Assert.Equal(0, BitConverter.SingleToInt32Bits(plain[1]));
    }

    [Fact]
    public void Every_vector_path_equals_the_scalar_path_at_every_length_up_to_256()
    {
        var rng = new Rng(256);
        for (int n = 0; n <= 256; n++)
        {
            var x = new float[n];
            var dy = new float[n];
            for (int i = 0; i < n; i++)
            {
                // A special value at a position that moves with n, so every lane and the tail see each of them.
                x[i] = (i + n) % 5 == 0 ? Specials[(i + n) % Specials.Length] : (float)rng.NextNormal();
                dy[i] = (i + 2 * n) % 7 == 0 ? Specials[(i * 3 + n) % Specials.Length] : (float)rng.NextNormal();
            }
            foreach (float shift in new[] { 0f, -0.5f, -0f })
                AssertPathsAgree(x, dy, shift);
        }
    }

    [Property]
    public void Every_vector_path_equals_the_scalar_path_on_random_floats(KernelCase c) => AssertPathsAgree(c.X, c.Dy, c.Shift);
}
