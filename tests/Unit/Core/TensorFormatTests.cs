namespace Mlp.Tests.Core;

/// <summary>ToString in PyTorch's style (src/Core/Tensor.Format.cs).</summary>
public class TensorFormatTests
{
    [Fact]
    public void A_scalar_prints_like_torch_with_four_decimals()
    {
        Assert.Equal("tensor(1.5000)", Tensor.Scalar(1.5f).ToString());
        Assert.Equal("tensor(-0.1235)", Tensor.Scalar(-0.12345678f).ToString());
    }

    [Fact]
    public void A_vector_prints_its_values_and_shape()
    {
        Assert.Equal("tensor([1.0000, -2.5000, 3.0000], shape=(3,))", Tensor.FromArray([1, -2.5f, 3], 3).ToString());
    }

    [Fact]
    public void A_matrix_prints_one_row_per_line_aligned_under_the_first_bracket()
    {
        var s = Tensor.FromArray([1, 2, 3, 4], 2, 2).ToString();
        Assert.Equal("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=(2, 2))", s);
    }

    [Fact]
    public void Long_dimensions_show_three_leading_and_three_trailing_entries()
    {
        Assert.Equal("tensor([0.0000, 1.0000, 2.0000, ..., 7.0000, 8.0000, 9.0000], shape=(10,))", Tensor.Arange(10).ToString());
        Assert.Equal("tensor([0.0000, 1.0000, 2.0000, 3.0000, 4.0000, 5.0000], shape=(6,))", Tensor.Arange(6).ToString());
    }

    [Fact]
    public void A_large_matrix_abbreviates_rows_and_columns_and_stays_short()
    {
        var s = Tensor.Arange(50000 * 784 / 1000).Reshape(392, 100).ToString();
        Assert.StartsWith("tensor([[0.0000, 1.0000, 2.0000, ..., 97.0000, 98.0000, 99.0000],\n", s);
        Assert.Contains("        ...,\n", s);
        Assert.EndsWith("39199.0000]], shape=(392, 100))", s);
        Assert.Equal(7, s.Split('\n').Length); // 3 rows, the ellipsis, 3 rows
    }

    [Fact]
    public void Formatting_uses_the_invariant_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            System.Globalization.CultureInfo.CurrentCulture = comma;
            Assert.Equal("0,5", 0.5f.ToString(System.Globalization.CultureInfo.CurrentCulture));
            Assert.Equal("tensor(0.5000)", Tensor.Scalar(0.5f).ToString());
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = previous; }
    }

    [Fact]
    public void An_empty_tensor_prints_empty_brackets()
    {
        Assert.Equal("tensor([], shape=(0,))", Tensor.Zeros(0).ToString());
    }

    [Fact]
    public void Special_values_print_as_torch_spells_them()
    {
        Assert.Equal("tensor([nan, inf, -inf, -0.0000], shape=(4,))",
            Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f], 4).ToString());
    }
}
