namespace Mlp;

/// <summary>A small two-operand einsum: parse, check sizes, send matmul shapes to <see cref="MatMul(Tensor, Tensor, bool, bool)"/>, else loop.
/// It lives with the tensor ops, above the kernels: the kernels never call back up.</summary>
public static partial class Ops
{
    /// <summary>
    /// A two-operand Einstein summation such as <c>"bi,bj->ij"</c> (PyTorch: <c>torch.einsum</c>).
    /// Each operand has one letter per dimension; letters absent from the output are summed over.
    /// An explicit <c>-&gt;</c> output is required. Products that are matrix multiplications go to the GEMM.
    /// </summary>
    /// <exception cref="ArgumentException">The equation is malformed or a letter has two different sizes.</exception>
    public static Tensor Einsum(string equation, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        string eq = equation.Replace(" ", "");
        int arrow = eq.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0) throw new ArgumentException($"Einsum '{equation}': needs an explicit '->' output.", nameof(equation));
        string[] ins = eq[..arrow].Split(',');
        string output = eq[(arrow + 2)..];
        if (ins.Length != 2) throw new ArgumentException($"Einsum '{equation}': exactly two operands are supported.", nameof(equation));
        string sa = ins[0], sb = ins[1];
        foreach (var (s, t, name) in new[] { (sa, a, "first"), (sb, b, "second") })
        {
            if (s.Length != t.Rank)
                throw new ArgumentException($"Einsum '{equation}': the {name} operand has shape {Tensor.ShapeString(t.Dims)} but '{s}' names {s.Length} dimensions.", nameof(equation));
            if (s.Distinct().Count() != s.Length || s.Any(ch => !char.IsLetter(ch)))
                throw new ArgumentException($"Einsum '{equation}': '{s}' must be distinct letters.", nameof(equation));
        }
        if (output.Distinct().Count() != output.Length || output.Any(ch => !sa.Contains(ch) && !sb.Contains(ch)))
            throw new ArgumentException($"Einsum '{equation}': output '{output}' must be distinct letters that appear in an input.", nameof(equation));

        var size = new Dictionary<char, int>();
        void Bind(string s, Tensor t)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (size.TryGetValue(s[i], out int have) && have != t.Dims[i])
                    throw new ArgumentException($"Einsum '{equation}': letter '{s[i]}' is {have} in one operand and {t.Dims[i]} in the other ({Tensor.ShapeString(a.Dims)}, {Tensor.ShapeString(b.Dims)}).", nameof(equation));
                size[s[i]] = t.Dims[i];
            }
        }
        Bind(sa, a);
        Bind(sb, b);

        // Matrix-product patterns: one contracted letter shared by both 2-D operands, the others kept in order.
        if (sa.Length == 2 && sb.Length == 2 && output.Length == 2)
        {
            char[] common = sa.Intersect(sb).ToArray();
            char shared = common.Length == 1 ? common[0] : default; // "ij,ij->ij" shares two letters: not a matmul
            if (shared != default && !output.Contains(shared))
            {
                char ra = sa.First(ch => ch != shared), rb = sb.First(ch => ch != shared);
                if (output == $"{ra}{rb}")
                    return MatMul(a, b, transposeA: sa[0] == shared, transposeB: sb[1] == shared);
                if (output == $"{rb}{ra}")
                    return MatMul(b, a, transposeA: sb[0] == shared, transposeB: sa[1] == shared);
            }
        }
        return EinsumLoop(sa, sb, output, size, a, b);
    }

    private static Tensor EinsumLoop(string sa, string sb, string output, Dictionary<char, int> size, Tensor a, Tensor b)
    {
        string all = new((output + sa + sb).Distinct().ToArray());
        int[] dims = all.Select(ch => size[ch]).ToArray();
        int[] outDims = output.Select(ch => size[ch]).ToArray();
        int[] StridesIn(string s, Tensor t)
        {
            var st = new int[all.Length];
            int stride = 1;
            for (int i = s.Length - 1; i >= 0; i--) { st[all.IndexOf(s[i])] = stride; stride *= t.Dims[i]; }
            return st;
        }
        int[] stA = StridesIn(sa, a), stB = StridesIn(sb, b);
        var stO = new int[all.Length];
        int so = 1;
        for (int i = output.Length - 1; i >= 0; i--) { stO[all.IndexOf(output[i])] = so; so *= outDims[i]; }

        var acc = new double[Math.Max(1, (int)Tensor.Numel(outDims))];
        long total = Tensor.Numel(dims);
        var idx = new int[all.Length];
        int oa = 0, ob = 0, oo = 0;
        for (long t = 0; t < total; t++)
        {
            acc[oo] += (double)a.Data[oa] * b.Data[ob];
            for (int d = all.Length - 1; d >= 0; d--)
            {
                idx[d]++; oa += stA[d]; ob += stB[d]; oo += stO[d];
                if (idx[d] < dims[d]) break;
                oa -= stA[d] * dims[d]; ob -= stB[d] * dims[d]; oo -= stO[d] * dims[d];
                idx[d] = 0;
            }
        }
        var result = Storage.Zeroed((int)Tensor.Numel(outDims));
        for (int i = 0; i < result.Length; i++) result[i] = (float)acc[i];
        return new Tensor(result, outDims);
    }
}
