using System.Globalization;
using System.Text;

namespace Mlp;

public sealed partial class Tensor
{
    /// <summary>
    /// Formats like PyTorch: <c>tensor([[0.1, …], …], shape=(n, m))</c>, showing at most three leading and
    /// three trailing entries per dimension once a dimension is longer than six.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        if (Rank == 0) sb.Append(Fmt(Data[0]));
        else Append(sb, 0, 0, 7);
        if (Rank >= 1) sb.Append(", shape=").Append(ShapeString(Dims));
        return sb.Append(')').ToString();
    }

    private void Append(StringBuilder sb, int dim, int offset, int indent)
    {
        int n = Dims[dim];
        int stride = 1;
        for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
        bool abbreviate = n > 6;
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (abbreviate && i == 3)
            {
                sb.Append(dim == Rank - 1 ? "...," : "...,");
                i = n - 3;
                if (dim < Rank - 1) sb.Append('\n').Append(' ', indent + dim + 1);
                else sb.Append(' ');
            }
            if (dim == Rank - 1) sb.Append(Fmt(Data[offset + i]));
            else Append(sb, dim + 1, offset + i * stride, indent);
            if (i < n - 1)
            {
                sb.Append(',');
                if (dim < Rank - 1) sb.Append('\n').Append(' ', indent + dim + 1);
                else sb.Append(' ');
            }
        }
        sb.Append(']');
    }

    // PyTorch spells the special values nan, inf and -inf (.NET would print NaN and Infinity).
    private static string Fmt(float v) => v switch
    {
        float.PositiveInfinity => "inf",
        float.NegativeInfinity => "-inf",
        _ when float.IsNaN(v) => "nan",
        _ => v.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
