using Mlp.Testing;
using Xunit.Abstractions;

namespace Mlp.Tests.LawKit;

/// <summary>
/// The law kit must not reject a correct layer at random. Saturated tanh behind a cancelling output bias is the worst
/// case for the finite-difference law: the forward rounds intermediates near 1.75 at 2⁻²³ while the output is near 0,
/// so the rounding is far above what |f| suggests. These cases are run by the thousand, with a correct backward
/// (no failure allowed) and with a wrong one (every case must fail).
/// </summary>
public class LawKitNoFalseAlarms
{
    private readonly ITestOutputHelper output;

    public LawKitNoFalseAlarms(ITestOutputHelper output) => this.output = output;

    // tanh′ written as 1 − y instead of 1 − y²: half the true slope near y = 1, hundreds of times it near y = −1.
    private static readonly LayerSpec WrongTanh = LawKitModels.LinearTanhLinear("Linear → Tanh with 1 − y → Linear", x =>
    {
        Tensor y = x.Tanh();
        return new(y, dy => dy * (1f - y));
    });

    /// <summary>n = i = h = o = 1; tanh(x·w₁ + b₁) saturated (|x·w₁ + b₁| ≥ 3); b₂ ≈ −w₂·tanh so the output nearly cancels.</summary>
    private static IEnumerable<LawCase> SaturatedCases(LayerSpec spec, int seeds, bool cancellingOnly = false, float maxZ = float.PositiveInfinity)
    {
        var sizes = new Dictionary<char, int> { ['n'] = 1, ['i'] = 1, ['h'] = 1, ['o'] = 1 };
        float[] xs = [1f, -1f, 2f];
        float[] ws = [1.5f, 1.75f, 2f, -1.75f];
        float[] w2s = [1.75f, -1.75f, 2f, 7.75f];
        foreach (float x in xs)
            foreach (float w in ws)
                foreach (float b in ws)
                {
                    float z = x * w + b;
                    if (Math.Abs(z) < 3 || Math.Abs(z) > maxZ) continue;
                    foreach (float w2 in w2s)
                        foreach (float b2 in cancellingOnly ? [-w2 * Math.Sign(z)] : new[] { -w2 * Math.Sign(z), -w2 * Math.Sign(z) + 0.25f, w2 })
                            for (int seed = 0; seed < seeds; seed++)
                                yield return new LawCase(spec, sizes,
                                    [Tensor.FromArray([x], 1, 1), Tensor.FromArray([w], 1, 1), Tensor.FromVector([b]),
                         Tensor.FromArray([w2], 1, 1), Tensor.FromVector([b2])], seed);
                }
    }

    [Fact]
    public void A_correct_backward_passes_every_saturated_case_at_every_seed()
    {
        var cases = SaturatedCases(LawKitModels.Mlp, seeds: 24).ToList();
        var failed = cases.Select(c => (c, f: VjpLaws.Evaluate(LawKitModels.Mlp, c))).Where(r => r.f.Count > 0).ToList();
        output.WriteLine($"{cases.Count} saturated cases, {failed.Count} failed");
        Assert.True(failed.Count == 0,
            $"{failed.Count} of {cases.Count} saturated cases false-alarmed; first:\n{(failed.Count > 0 ? failed[0].c + "\n" + string.Join("\n", failed[0].f.Select(f => f.Message)) : "")}");
        Assert.True(cases.Count > 2000, $"only {cases.Count} cases");
    }

    // Where the output cancels (b₂ = −w₂·sign z) the tolerance comes from the measured rounding, not from |f|, so this
    // is where a too-generous measurement would hide a wrong backward. (With |f| ≈ 2|w₂| the 64-ulp noise term of
    // the first check is already wider than tanh′ ≈ 0.005 there, so those cases cannot tell 1 − y from 1 − y².)
    // Beyond |z| = 4.5 the float32 forward itself barely moves (tanh′(5.5) ≈ 7e-5: a step of 4ε changes tanh by a
    // few ulps), so no finite difference can tell the two slopes apart there.
    [Fact]
    public void A_wrong_tanh_backward_fails_every_saturated_case_with_a_cancelling_output()
    {
        var cases = SaturatedCases(WrongTanh, seeds: 10, cancellingOnly: true, maxZ: 4.5f).ToList();
        var passed = cases.Where(c => !VjpLaws.Evaluate(WrongTanh, c).Any(f => f.Law == VjpLaw.FiniteDifferences)).ToList();
        Assert.True(cases.Count > 300, $"only {cases.Count} cases");
        Assert.True(passed.Count == 0, $"{passed.Count} of {cases.Count} cases missed the wrong backward; first:\n{(passed.Count > 0 ? passed[0].ToString() : "")}");
    }
}
