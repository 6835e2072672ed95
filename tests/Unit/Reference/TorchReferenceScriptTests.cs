using Mlp.Lessons;
namespace Mlp.Tests.Reference;

/// <summary>tools/torch_reference.py run live, so the script that makes the fixtures cannot rot.</summary>
public class TorchReferenceScriptTests
{
    [Theory]
    [InlineData("shifted", LessonRelu.Shifted)]
    [InlineData("plain", LessonRelu.Plain)]
    public void A_fresh_reference_from_the_script_has_the_lessons_shapes_and_matches_torch(string relu, LessonRelu expected)
    {
        Python.Require("torch", "numpy");
        string path = Path.Combine(Path.GetTempPath(), $"mlp-ref-{Guid.NewGuid():N}.npz");
        try
        {
            Python.Run([Path.Combine("tools", "torch_reference.py"), "--seed", "11", "--n", "33", "--n-in", "65", "--n-hidden", "17", "--relu", relu, "--out", path],
                TimeSpan.FromMinutes(5));
            var reference = LessonReference.Load(path); // checks every array's name and shape
            Assert.Equal((33, 65, 17), (reference.N, reference.InFeatures, reference.Hidden));
            Assert.Equal(expected, reference.Relu); // the file's relu_shift is read, so we compute with the relu torch used
            Assert.NotEqual(0f, reference.B1.Abs().Max().ToScalar()); // biases are non-zero by default, so their gradients are tested
            TorchReference.AssertMatchesFile(path);
        }
        finally { File.Delete(path); }
    }
}
