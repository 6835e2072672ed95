namespace Mlp.Tests.Reference;

/// <summary>
/// The lesson's forward output, loss and five gradients against PyTorch float64 autograd
/// (fixtures from tools/torch_reference.py; regenerate with tools/make_fixtures.sh).
/// </summary>
public class LessonAgainstTorchTests
{
    [Fact] public void One_row_one_input_one_hidden_unit_matches_torch() => TorchReference.AssertMatches("n1_in1_h1_s1.npz");
    [Fact] public void One_row_matches_torch() => TorchReference.AssertMatches("n1_in16_h8_s2.npz");
    [Fact] public void One_input_feature_matches_torch() => TorchReference.AssertMatches("n7_in1_h5_s3.npz");
    [Fact] public void One_hidden_unit_matches_torch() => TorchReference.AssertMatches("n5_in3_h1_s4.npz");
    [Fact] public void Lesson_like_hidden_size_50_matches_torch() => TorchReference.AssertMatches("n32_in100_h50_s5.npz");
    [Fact] public void Wider_batch_matches_torch() => TorchReference.AssertMatches("n48_in96_h40_s6.npz");
    [Fact] public void Zero_biases_as_in_the_lesson_match_torch() => TorchReference.AssertMatches("n20_in30_h10_s7_zero_bias.npz");

    [Fact]
    public void Every_committed_fixture_has_a_test_above()
    {
        var tested = new[]
        {
            "n1_in1_h1_s1.npz", "n1_in16_h8_s2.npz", "n7_in1_h5_s3.npz", "n5_in3_h1_s4.npz",
            "n32_in100_h50_s5.npz", "n48_in96_h40_s6.npz", "n20_in30_h10_s7_zero_bias.npz",
        };
        Assert.Equal(tested.Order(), Fixtures.AllTorch().Select(Path.GetFileName));
    }
}
