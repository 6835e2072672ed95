using Mlp.Lessons;
using Mlp.Numpy;

namespace Mlp.Tests.Reference;

public class LessonReferenceTests
{
    private static string WriteVariant(Func<string, NpyArray, NpyArray?> change)
    {
        var npz = NpzReader.Read(Fixtures.Torch("n5_in3_h1_s4.npz"));
        var kept = new List<KeyValuePair<string, NpyArray>>();
        foreach (var (name, array) in npz)
            if (change(name, array) is { } a) kept.Add(new(name, a));
        string path = Path.Combine(Path.GetTempPath(), $"mlp-ref-{Guid.NewGuid():N}.npz");
        NpzWriter.Write(path, kept);
        return path;
    }

    [Theory]
    [InlineData(-0.5f, LessonRelu.Shifted)]
    [InlineData(0f, LessonRelu.Plain)]
    public void The_files_relu_shift_picks_the_relu_we_compute_with(float shift, LessonRelu expected)
    {
        string path = WriteVariant((name, a) => a);
        try
        {
            Assert.Equal(LessonRelu.Plain, LessonReference.Load(path).Relu); // absent: plain
            var with = NpzReader.Read(path).Append(new("relu_shift", NpyArray.FromTensor(Tensor.Scalar(shift)))).ToList();
            NpzWriter.Write(path, with);
            var reference = LessonReference.Load(path);
            Assert.Equal(expected, reference.Relu);
            // The fixture is torch's plain relu: read as shifted, our output moves by −0.5·Σw2 and the comparison fails.
            var outError = reference.Compare().Single(e => e.Name == "out");
            Assert.Equal(expected == LessonRelu.Plain, outError.Within(1e-4));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_missing_array_is_named_with_the_arrays_the_file_has()
    {
        string path = WriteVariant((name, a) => name == "w1_grad" ? null : a);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => LessonReference.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("'w1_grad'", e.Message);
            Assert.Contains("b1_grad", e.Message); // lists what is there
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_wrongly_shaped_array_is_named_with_both_shapes()
    {
        string path = WriteVariant((name, a) => name == "b1_grad" ? NpyArray.FromFloat32([1f, 2f], [2]) : a);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => LessonReference.Load(path));
            Assert.Contains("'b1_grad'", e.Message);
            Assert.Contains("(2,)", e.Message);
            Assert.Contains("(1,)", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void An_x_that_is_not_a_matrix_is_refused_with_its_shape()
    {
        string path = WriteVariant((name, a) => name == "x" ? NpyArray.FromFloat32(new float[15], [15]) : a);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => LessonReference.Load(path));
            Assert.Contains("'x'", e.Message);
            Assert.Contains("(15,)", e.Message);
            Assert.Contains("(n, n_in)", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_wrong_gradient_fails_the_comparison_by_its_relative_size()
    {
        // Scale one reference gradient by (1 + 1e-3): that tensor, and only it, must be 1e-3 off.
        string path = WriteVariant((name, a) => name == "w1_grad" ? NpyArray.FromTensor(a.ToTensor() * 1.001f) : a);
        try
        {
            var errors = LessonReference.Load(path).Compare().ToDictionary(e => e.Name);
            Assert.InRange(errors["w1_grad"].NormRelativeError, 0.9e-3, 1.1e-3);
            Assert.False(errors["w1_grad"].Within(TorchReference.Rtol));
            Assert.All(errors.Values.Where(e => e.Name != "w1_grad"), e => Assert.True(e.Within(TorchReference.Rtol)));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Norm_relative_error_against_an_all_zero_reference_is_the_absolute_norm()
    {
        var e = ReferenceError.Of("g", Tensor.FromArray([3f, 4f], 2), Tensor.Zeros(2));
        Assert.Equal(5.0, e.NormRelativeError, 12);
        Assert.Equal(4.0, e.MaxAbsError, 12);
        Assert.Equal(0.0, ReferenceError.Of("g", Tensor.Zeros(2), Tensor.Zeros(2)).NormRelativeError);
    }

    [Fact]
    public void Norm_relative_error_is_the_ratio_of_frobenius_norms()
    {
        var e = ReferenceError.Of("g", Tensor.FromArray([1f, 2f, 2f, 1f], 2, 2), Tensor.FromArray([1f, 2f, 2f, 0f], 2, 2));
        Assert.Equal(1.0 / 3.0, e.NormRelativeError, 12); // ‖(0,0,0,1)‖ / ‖(1,2,2,0)‖ = 1/3
        Assert.Equal(1.0, e.MaxAbsError, 12);
    }

    [Fact]
    public void A_NaN_in_our_result_fails_the_comparison()
    {
        var e = ReferenceError.Of("g", Tensor.FromArray([float.NaN, 1f], 2), Tensor.FromArray([1f, 1f], 2));
        Assert.False(e.Within(1e-4));
        Assert.True(double.IsNaN(e.MaxAbsError));
    }

    [Fact]
    public void Relu_mask_disagreements_count_preactivations_float32_puts_on_the_wrong_side()
    {
        // l1 = x·w1 + b1 with x·w1 = 1 + 2⁻³⁰ exactly but 1 in float32 (the product rounds), and b1 = −1:
        // exact arithmetic gives 2⁻³⁰ > 0, our float32 forward gives 0, which relu treats as inactive.
        float x = 1f + MathF.Pow(2, -15), w = 1f + MathF.Pow(2, -15);
        var r = new LessonReference("test", Tensor.FromArray([x], 1, 1), Tensor.Zeros(1), Tensor.FromArray([w], 1, 1),
            Tensor.FromArray([-(1f + MathF.Pow(2, -14))], 1), Tensor.Ones(1, 1), Tensor.Zeros(1),
            Tensor.Zeros(1, 1), Tensor.Scalar(0), Tensor.Zeros(1, 1), Tensor.Zeros(1, 1), Tensor.Zeros(1), Tensor.Zeros(1, 1), Tensor.Zeros(1));
        Assert.Equal(1, r.ReluMaskDisagreements());
    }
}
