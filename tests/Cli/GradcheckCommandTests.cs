using System.Text.Json;
using Mlp.Numpy;

namespace Mlp.Tests.Cli;

/// <summary><c>mlp gradcheck</c> as a user runs it: against PyTorch reference files, and by finite differences.</summary>
public class GradcheckCommandTests
{
    private static string TorchFixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "fixtures", "torch", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"tests/fixtures/torch/{name} not found above {AppContext.BaseDirectory}.");
    }

    private static string WriteVariant(string fixture, Func<string, NpyArray, NpyArray?> change)
    {
        var kept = new List<KeyValuePair<string, NpyArray>>();
        foreach (var (name, array) in NpzReader.Read(TorchFixture(fixture)))
            if (change(name, array) is { } a) kept.Add(new(name, a));
        string path = Path.Combine(Path.GetTempPath(), $"mlp-cli-ref-{Guid.NewGuid():N}.npz");
        NpzWriter.Write(path, kept);
        return path;
    }

    [Fact]
    public void A_torch_reference_passes_with_every_tensor_listed_and_exit_0()
    {
        var r = MlpProcess.Run("gradcheck", "--reference", TorchFixture("n48_in96_h40_s6.npz"), "--json");
        Assert.Equal(0, r.ExitCode);
        var d = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("reference");
        Assert.True(d.GetProperty("passed").GetBoolean());
        Assert.Equal((48, 96, 40), (d.GetProperty("n").GetInt32(), d.GetProperty("n_in").GetInt32(), d.GetProperty("n_hidden").GetInt32()));
        var tensors = d.GetProperty("tensors");
        Assert.Equal(["out", "loss", "x_grad", "w1_grad", "b1_grad", "w2_grad", "b2_grad"], tensors.EnumerateObject().Select(p => p.Name));
        foreach (var t in tensors.EnumerateObject())
            Assert.InRange(t.Value.GetProperty("norm_relative_error").GetDouble(), 0, 1e-4);
        Assert.Equal(0, d.GetProperty("relu_mask_disagreements").GetInt32());
    }

    [Fact]
    public void A_reference_with_a_wrong_gradient_fails_naming_it_and_exits_1()
    {
        string path = WriteVariant("n32_in100_h50_s5.npz", (name, a) => name == "b1_grad" ? NpyArray.FromTensor(a.ToTensor() * 1.01f) : a);
        try
        {
            var r = MlpProcess.Run("gradcheck", "--reference", path);
            Assert.Equal(1, r.ExitCode);
            var failing = r.Stdout.Split('\n').Where(l => l.TrimEnd().EndsWith("FAIL", StringComparison.Ordinal)).ToArray();
            Assert.Single(failing);
            Assert.StartsWith("b1_grad", failing[0].Trim());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_tolerance_is_the_one_given_with_rtol()
    {
        string fixture = TorchFixture("n48_in96_h40_s6.npz"); // float32 errors here are ~2e-7
        Assert.Equal(1, MlpProcess.Run("gradcheck", "--reference", fixture, "--rtol", "1e-9").ExitCode);
        Assert.Equal(0, MlpProcess.Run("gradcheck", "--reference", fixture, "--rtol", "1e-5").ExitCode);
    }

    [Fact]
    public void A_reference_missing_an_array_is_named_on_stderr()
    {
        string path = WriteVariant("n5_in3_h1_s4.npz", (name, a) => name == "w2_grad" ? null : a);
        try
        {
            var r = MlpProcess.Run("gradcheck", "--reference", path);
            Assert.Equal(2, r.ExitCode);   // a data error, not a failed check
            Assert.Contains(path, r.Stderr);
            Assert.Contains("'w2_grad'", r.Stderr);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Finite_differences_on_random_data_pass_with_no_step_across_relus_kink()
    {
        var r = MlpProcess.Run("gradcheck", "--seed", "6", "--json");
        Assert.Equal(0, r.ExitCode);
        var d = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("finite_differences");
        Assert.True(d.GetProperty("passed").GetBoolean());
        Assert.Equal(0, d.GetProperty("near_kink").GetInt32());
        Assert.Equal(["x", "w1", "b1", "w2", "b2"], d.GetProperty("tensors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Sizes_with_a_reference_file_are_a_usage_error()
    {
        var r = MlpProcess.Run("gradcheck", "--reference", TorchFixture("n1_in1_h1_s1.npz"), "--n", "3");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--n", r.Stderr);
    }

    [Fact]
    public void Help_describes_both_modes()
    {
        var r = MlpProcess.Run("gradcheck", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--reference", r.Stdout);
        Assert.Contains("--rtol", r.Stdout);
        Assert.Contains("finite differences", r.Stdout);
    }
}
