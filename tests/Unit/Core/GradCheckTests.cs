using Mlp.Lessons;
namespace Mlp.Tests.Core;

/// <summary>Finite-difference gradient checking (src/Core/GradCheck.cs), on the lesson's model.</summary>
public class GradCheckTests
{
    private static KeyValuePair<string, Tensor>[] LessonInputs(ulong seed, int n = 32, int m = 12, int nh = 8)
    {
        var rng = new Rng(seed);
        return
        [
            new("x", rng.Normal(n, m)),
            new("w1", Init.KaimingNormal(rng, m, nh, FanMode.FanIn, Gain.Relu)),
            new("b1", rng.Normal(nh) * 0.1f),
            new("w2", Init.KaimingNormal(rng, nh, 1, FanMode.FanIn, Gain.Linear)),
            new("b2", rng.Normal(1) * 0.1f),
        ];
    }

    [Fact]
    public void Lesson_model_gradients_agree_with_central_differences()
    {
        var inputs = LessonInputs(1);
        var y = new Rng(2).Normal(32);
        var results = GradCheck.Check((t, l) => Lesson.Loss(t, l[0], l[1], l[2], l[3], l[4], y), inputs, step: 1e-3, entriesPerInput: 40, seed: 3);
        Assert.Equal(["x", "w1", "b1", "w2", "b2"], results.Select(r => r.Name));
        foreach (var r in results)
        {
            Assert.True(r.NormRelativeError < 1e-2, $"{r}");
            Assert.True(r.EntriesChecked == Math.Min(40, inputs.First(kv => kv.Key == r.Name).Value.Length), $"{r}");
        }
    }

    [Fact]
    public void A_wrong_backward_is_caught_by_the_check()
    {
        // f(x) = Σ x² with a backward that claims 3x instead of 2x.
        var x = Tensor.FromArray([0.5f, -1, 2], 3);
        Node Wrong(Tape t, Node[] l) => t.Record((l[0].Value * l[0].Value).Sum(), [l[0]], dl => [l[0].Value * (3 * dl.ToScalar())]);
        Node Right(Tape t, Node[] l) => t.Record((l[0].Value * l[0].Value).Sum(), [l[0]], dl => [l[0].Value * (2 * dl.ToScalar())]);
        var wrong = GradCheck.Check(Wrong, [new("x", x)], 1e-3, 10, 1).Single();
        var right = GradCheck.Check(Right, [new("x", x)], 1e-3, 10, 1).Single();
        Assert.Equal(1.0 / 2, wrong.NormRelativeError, 1e-3);   // ‖3x − 2x‖ / ‖2x‖: the finite differences are the reference
        Assert.Equal(1.0 / 3, wrong.MaxRelativeError, 1e-3);
        Assert.Equal(2.0, wrong.MaxAbsError, 5e-3);            // |3·2 − 2·2| at x = 2
        Assert.True(right.NormRelativeError < 1e-3, $"{right}");
    }

    [Fact]
    public void GradCheck_rejects_a_function_without_a_one_element_result()
    {
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check((t, l) => t.Relu(l[0]), [new("x", Tensor.Ones(3))], 1e-3, 3, 1));
        Assert.Contains("(3,)", e.Message);
    }

    [Fact]
    public void GradCheck_samples_only_the_requested_number_of_entries()
    {
        var x = new Rng(1).Normal(100);
        var r = GradCheck.Check((t, l) => t.Mse(l[0], Tensor.Zeros(100)), [new("x", x)], 1e-3, 7, 2).Single();
        Assert.Equal(7, r.EntriesChecked);
        Assert.True(r.NormRelativeError < 1e-2, $"{r}");
    }

    [Theory]
    [InlineData(1e-3, 0)]
    [InlineData(1e-3, -1)]
    [InlineData(0.0, 3)]
    [InlineData(-1e-3, 3)]
    [InlineData(double.NaN, 3)]
    [InlineData(double.PositiveInfinity, 3)]
    public void GradCheck_rejects_a_step_or_entry_count_that_would_check_nothing(double step, int entries)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            GradCheck.Check((t, l) => t.Mse(l[0], Tensor.Zeros(3)), [new("x", Tensor.Ones(3))], step, entries, 1));
    }

    [Fact]
    public void CheckEntries_compares_exactly_the_listed_entries()
    {
        // f(x) = Σ x² with a backward that is wrong only at entry 2: listing entries 0 and 1 sees no error, entry 2 does.
        var x = Tensor.FromArray([0.5f, -1, 2], 3);
        Node F(Tape t, Node[] l) => t.Record((l[0].Value * l[0].Value).Sum(), [l[0]],
            dl => [l[0].Value * (2 * dl.ToScalar()) + Tensor.FromArray([0, 0, 1f], 3)]);
        var clean = GradCheck.CheckEntries(F, [new("x", x)], 1e-3, [[0, 1]]).Single();
        var bad = GradCheck.CheckEntries(F, [new("x", x)], 1e-3, [[2]]).Single();
        Assert.Equal(2, clean.EntriesChecked);
        Assert.True(clean.MaxAbsError < 1e-3, $"{clean}");
        Assert.Equal(1, bad.EntriesChecked);
        Assert.Equal(1.0, bad.MaxAbsError, 5e-3);  // analytic 5 vs numeric 4 at x = 2
    }

    [Fact]
    public void CheckEntries_rejects_lists_that_do_not_fit_the_inputs_naming_the_input_and_shape()
    {
        Node F(Tape t, Node[] l) => t.Mse(l[0], Tensor.Zeros(3));
        KeyValuePair<string, Tensor>[] inputs = [new("x", Tensor.Ones(3))];
        var count = Assert.Throws<ArgumentException>(() => GradCheck.CheckEntries(F, inputs, 1e-3, [[0], [1]]));
        Assert.Contains("2 entry lists for 1 inputs", count.Message);
        var range = Assert.Throws<ArgumentException>(() => GradCheck.CheckEntries(F, inputs, 1e-3, [[3]]));
        Assert.Contains("'x'", range.Message);
        Assert.Contains("(3,)", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.CheckEntries(F, inputs, double.NaN, [[0]]));
    }
}
