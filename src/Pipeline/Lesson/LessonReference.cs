using Mlp.Numpy;

namespace Mlp.Lessons;

/// <summary>
/// A PyTorch reference for the lesson's model, as written by <c>tools/torch_reference.py</c>: inputs, weights,
/// and PyTorch's float64 forward output, loss and gradients, all stored as float32 in one <c>.npz</c>.
/// </summary>
/// <remarks>
/// The model is <c>l1 = x@w1 + b1; l2 = relu(l1); out = l2@w2 + b2; loss = mse(out.squeeze(-1), targ)</c>.
/// Array names and shapes: <c>x</c> (n, n_in), <c>targ</c> (n), <c>w1</c> (n_in, n_h), <c>b1</c> (n_h),
/// <c>w2</c> (n_h, 1), <c>b2</c> (1), <c>out</c> (n, 1), <c>loss</c> (), and <c>x_grad</c>, <c>w1_grad</c>,
/// <c>b1_grad</c>, <c>w2_grad</c>, <c>b2_grad</c> shaped like their tensors. An optional scalar <c>relu_shift</c>
/// says which relu PyTorch used: 0 for <c>clamp_min(0.)</c>, −0.5 for the lesson's shifted relu (absent: 0).
/// </remarks>
public sealed record LessonReference(
    string Source, Tensor X, Tensor Target, Tensor W1, Tensor B1, Tensor W2, Tensor B2,
    Tensor Output, Tensor Loss, Tensor XGrad, Tensor W1Grad, Tensor B1Grad, Tensor W2Grad, Tensor B2Grad)
{
    /// <summary>The names of the compared tensors, in the order <see cref="Compare"/> returns them.</summary>
    public static IReadOnlyList<string> ComparedNames { get; } = ["out", "loss", "x_grad", "w1_grad", "b1_grad", "w2_grad", "b2_grad"];

    /// <summary>Reads and checks a reference file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid npz, or an array is missing or has the wrong shape; the message names the array and both shapes.</exception>
    public static LessonReference Load(string path) =>
        FromArchive(NpzReader.Read(path)); // all arrays: the optional relu_shift too (a filter without it read as plain relu)

    /// <summary>Checks the arrays of <paramref name="npz"/> against the lesson's shapes and wraps them.</summary>
    /// <exception cref="InvalidDataException">An array is missing or has the wrong shape; the message names the array and both shapes.</exception>
    public static LessonReference FromArchive(NpzArchive npz)
    {
        ArgumentNullException.ThrowIfNull(npz);
        var xa = npz["x"];
        if (xa.Shape.Count != 2)
            throw new InvalidDataException($"{npz.Source}: array 'x' has shape {Tensor.ShapeString(xa.Shape)} but (n, n_in) was expected.");
        int n = xa.Shape[0], nIn = xa.Shape[1];
        var w1a = npz["w1"];
        if (w1a.Shape.Count != 2 || w1a.Shape[0] != nIn)
            throw new InvalidDataException($"{npz.Source}: array 'w1' has shape {Tensor.ShapeString(w1a.Shape)} but ({nIn}, n_h) was expected (x is {Tensor.ShapeString(xa.Shape)}).");
        int nH = w1a.Shape[1];
        var relu = LessonRelu.Plain;
        if (npz.ContainsKey("relu_shift"))
        {
            float shift = npz.GetTensor("relu_shift", []).ToScalar();
            relu = shift == 0f ? LessonRelu.Plain : shift == ShiftedRelu.LessonShift ? LessonRelu.Shifted
                : throw new InvalidDataException($"{npz.Source}: array 'relu_shift' is {shift}; 0 (plain relu) or {ShiftedRelu.LessonShift} (the lesson's shifted relu) was expected.");
        }
        return new LessonReference(
            npz.Source,
            X: npz.GetTensor("x", [n, nIn]),
            Target: npz.GetTensor("targ", [n]),
            W1: npz.GetTensor("w1", [nIn, nH]),
            B1: npz.GetTensor("b1", [nH]),
            W2: npz.GetTensor("w2", [nH, 1]),
            B2: npz.GetTensor("b2", [1]),
            Output: npz.GetTensor("out", [n, 1]),
            Loss: npz.GetTensor("loss", []),
            XGrad: npz.GetTensor("x_grad", [n, nIn]),
            W1Grad: npz.GetTensor("w1_grad", [nIn, nH]),
            B1Grad: npz.GetTensor("b1_grad", [nH]),
            W2Grad: npz.GetTensor("w2_grad", [nH, 1]),
            B2Grad: npz.GetTensor("b2_grad", [1])) { Relu = relu };
    }

    /// <summary>The relu PyTorch used (the file's <c>relu_shift</c>; plain when absent).</summary>
    public LessonRelu Relu { get; init; } = LessonRelu.Plain;

    /// <summary>Rows n.</summary>
    public int N => X.Shape[0];

    /// <summary>Input features n_in.</summary>
    public int InFeatures => X.Shape[1];

    /// <summary>Hidden units n_h.</summary>
    public int Hidden => W1.Shape[1];

    /// <summary>
    /// Runs our forward and backward (<see cref="Lesson.WithTape"/>, with the file's <see cref="Relu"/>) on the reference's inputs and weights and
    /// compares the output, the loss and all five gradients with PyTorch's, in the order of <see cref="ComparedNames"/>.
    /// </summary>
    public IReadOnlyList<ReferenceError> Compare()
    {
        LessonGradients ours = Lesson.WithTape(X, W1, B1, W2, B2, Target, Relu);
        return
        [
            ReferenceError.Of("out", ours.Output, Output),
            ReferenceError.Of("loss", ours.Loss.Reshape([]), Loss),
            ReferenceError.Of("x_grad", ours.Dx, XGrad),
            ReferenceError.Of("w1_grad", ours.Dw1, W1Grad),
            ReferenceError.Of("b1_grad", ours.Db1, B1Grad),
            ReferenceError.Of("w2_grad", ours.Dw2, W2Grad),
            ReferenceError.Of("b2_grad", ours.Db2, B2Grad),
        ];
    }

    /// <summary>
    /// How many hidden pre-activations <c>l1</c> our float32 forward puts on the other side of relu's kink than an
    /// exact (double) evaluation on the same inputs. relu' jumps at 0, so each such entry moves the gradients by a
    /// whole term: a non-zero count explains a gradient mismatch as rounding, not as a wrong gradient.
    /// </summary>
    public int ReluMaskDisagreements()
    {
        Tensor l1 = Linear.Forward(X, W1, B1).Output;
        ReadOnlySpan<float> x = X.AsSpan(), w = W1.AsSpan(), b = B1.AsSpan(), ours = l1.AsSpan();
        int n = N, k = InFeatures, h = Hidden, count = 0;
        var row = new double[h];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < h; j++) row[j] = b[j];
            for (int p = 0; p < k; p++)
            {
                double xip = x[i * k + p];
                var wp = w.Slice(p * h, h);
                for (int j = 0; j < h; j++) row[j] += xip * wp[j];
            }
            for (int j = 0; j < h; j++)
                if (row[j] > 0 != ours[i * h + j] > 0f) count++;
        }
        return count;
    }
}
