namespace Mlp.Tests.Properties;

/// <summary>Textbook reference computations in double, and tolerance-aware comparisons, shared by the laws.</summary>
internal static class Reference
{
    /// <summary>op(a)·op(b) by the triple loop, in double.</summary>
    public static double[,] MatMul(Tensor a, Tensor b, bool ta, bool tb)
    {
        int m = ta ? a.Size(1) : a.Size(0), k = ta ? a.Size(0) : a.Size(1), n = tb ? b.Size(0) : b.Size(1);
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)(ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]);
                c[i, j] = s;
            }
        return c;
    }

    /// <summary>Σ over rows, in double.</summary>
    public static double[] SumRows(Tensor t)
    {
        var s = new double[t.Size(1)];
        for (int i = 0; i < t.Size(0); i++)
            for (int j = 0; j < s.Length; j++) s[j] += t[i, j];
        return s;
    }

    /// <summary>⟨a, b⟩ in double.</summary>
    public static double Dot(Tensor a, Tensor b)
    {
        Assert.Equal(a.ShapeArray(), b.ShapeArray());
        double s = 0;
        var x = a.AsSpan();
        var y = b.AsSpan();
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }

    /// <summary>Σ |a|·|b| in double: the scale against which rounding in ⟨a, b⟩ is measured.</summary>
    public static double AbsDot(Tensor a, Tensor b)
    {
        double s = 0;
        var x = a.AsSpan();
        var y = b.AsSpan();
        for (int i = 0; i < x.Length; i++) s += Math.Abs((double)x[i] * y[i]);
        return s;
    }

    /// <summary>Asserts |expected − actual| ≤ atol + rtol·|expected| element by element, reporting the worst entry.</summary>
    public static void AssertClose(double[,] expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal([expected.GetLength(0), expected.GetLength(1)], actual.ShapeArray());
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                if (!(Math.Abs(expected[i, j] - actual[i, j]) <= atol + rtol * Math.Abs(expected[i, j])))
                    Assert.Fail($"{what}[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }

    /// <summary>Asserts two tensors have the same shape and are close element by element.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.AsSpan();
        var a = actual.AsSpan();
        for (int i = 0; i < e.Length; i++)
            if (!(Math.Abs((double)e[i] - a[i]) <= atol + rtol * Math.Abs((double)e[i])))
                Assert.Fail($"{what}[flat {i}]: expected {e[i]}, got {a[i]} (shape {Tensor.ShapeString(expected.Shape)})");
    }

    /// <summary>Asserts equal shapes and bit-identical elements.</summary>
    public static void AssertBitwise(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.AsSpan();
        var a = actual.AsSpan();
        for (int i = 0; i < e.Length; i++)
            if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]))
                Assert.Fail($"{what}[flat {i}]: {e[i]:R} vs {a[i]:R}");
    }

    /// <summary>
    /// Asserts |expected − actual| ≤ rel·scale + 1e-6 element by element, where <paramref name="scale"/> holds the
    /// sums of absolute terms behind each element (e.g. |a|·|b| for a product), the size float rounding is relative to.
    /// </summary>
    public static void AssertCloseScaled(Tensor expected, Tensor actual, Tensor scale, double rel, string what)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.AsSpan();
        var a = actual.AsSpan();
        var s = scale.AsSpan();
        for (int i = 0; i < e.Length; i++)
            if (!(Math.Abs((double)e[i] - a[i]) <= rel * s[i] + 1e-6))
                Assert.Fail($"{what}[flat {i}]: expected {e[i]:R}, got {a[i]:R}, tolerance {rel * s[i] + 1e-6} (shape {Tensor.ShapeString(expected.Shape)})");
    }
}
