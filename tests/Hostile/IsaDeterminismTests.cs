using System.Security.Cryptography;

namespace Mlp.Hostile;

/// <summary>
/// Issue 12, item 8: the same command and seed give bit-identical model files whatever the instruction set —
/// AVX-512, AVX2 (<c>DOTNET_EnableAVX512=0</c>) or scalar (<c>DOTNET_EnableHWIntrinsic=0</c>).
/// </summary>
public sealed class IsaDeterminismTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mlp-isa-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void The_same_seed_gives_the_same_model_bits_on_every_instruction_set()
    {
        var runs = new (string Name, Dictionary<string, string> Env)[]
        {
            ("full", new()),
            ("no-avx512", new() { ["DOTNET_EnableAVX512"] = "0" }),
            ("scalar", new() { ["DOTNET_EnableHWIntrinsic"] = "0" }),
        };
        var hashes = new List<(string Name, string Hash)>();
        foreach (var (name, env) in runs)
        {
            string model = Path.Combine(dir, name + ".safetensors");
            var r = Mlp.Run(dir, env, "train", "--data", Mlp.EmbeddedData, "--limit", "2000", "--epochs", "1", "--hidden", "32",
                            "--batch", "50", "--seed", "7", "--save", model, "--json");
            Assert.True(r.ExitCode == 0, $"{name}: exit {r.ExitCode}: {r.Stderr}");
            hashes.Add((name, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(model)))));
        }
        Assert.All(hashes, h => Assert.True(h.Hash == hashes[0].Hash,
            $"{h.Name} wrote different model bits than {hashes[0].Name}: {string.Join(", ", hashes.Select(x => $"{x.Name} {x.Hash[..12]}"))}"));
    }
}
