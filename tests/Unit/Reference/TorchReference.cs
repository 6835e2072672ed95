using Mlp.Lessons;
using Mlp.Numpy;

namespace Mlp.Tests.Reference;

/// <summary>The one-line reference check (after early tinygrad's <c>helper_test_op</c>).</summary>
internal static class TorchReference
{
    /// <summary>Our float32 norm-relative error may be at most this far from PyTorch's float64 result.</summary>
    public const double Rtol = 1e-4;

    /// <summary>
    /// Runs our forward and backward on the fixture's inputs and weights and asserts that the output, the loss and
    /// all five gradients are within <see cref="Rtol"/> (norm-relative) of PyTorch's, naming the tensor that is not.
    /// </summary>
    public static void AssertMatches(string fixture) => AssertMatchesFile(Fixtures.Torch(fixture));

    /// <summary><see cref="AssertMatches"/> for a reference file anywhere.</summary>
    public static void AssertMatchesFile(string path)
    {
        string fixture = Path.GetFileName(path);
        var reference = LessonReference.Load(path);
        var errors = reference.Compare();
        Assert.Equal(LessonReference.ComparedNames, errors.Select(e => e.Name));
        foreach (var e in errors)
            Assert.True(e.Within(Rtol),
                $"{fixture}: {e.Name} {Tensor.ShapeString(e.Shape)} is off PyTorch by {e.NormRelativeError:E2} (norm-relative) and {e.MaxAbsError:E2} (max abs); tolerance {Rtol:E0}.");
        Assert.Equal(0, reference.ReluMaskDisagreements());
    }
}
