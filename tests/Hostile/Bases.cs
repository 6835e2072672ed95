namespace Mlp.Hostile;

/// <summary>
/// The valid files the hostile inputs are made from: 300 real Fashion-MNIST images as IDX, the pickle fixtures,
/// the PyTorch reference npz, and a model file and checkpoint written by the real <c>mlp train</c>.
/// </summary>
public sealed class Bases : IDisposable
{
    public Bases()
    {
        Dir = Directory.CreateTempSubdirectory("mlp-hostile-bases-").FullName;
        byte[] images = Inputs.Gunzip(File.ReadAllBytes(Path.Combine(Mlp.EmbeddedData, Inputs.ImagesName + ".gz")));
        byte[] labels = Inputs.Gunzip(File.ReadAllBytes(Path.Combine(Mlp.EmbeddedData, Inputs.LabelsName + ".gz")));
        Images = Inputs.IdxImages(300, 28, 28, images.AsSpan(16, 300 * 784));
        Labels = Inputs.IdxLabels(300, labels.AsSpan(8, 300));
        DataDir = Path.Combine(Dir, "data");
        Directory.CreateDirectory(DataDir);
        File.WriteAllBytes(Path.Combine(DataDir, Inputs.ImagesName), Images);
        File.WriteAllBytes(Path.Combine(DataDir, Inputs.LabelsName), Labels);
        string fixtures = Path.Combine(Mlp.RepoRoot, "tests", "fixtures");
        Pickles = new[] { "tiny_py3_protocol2.pkl", "tiny_py2_style.pkl", "tiny_py3_protocol4.pkl", "tiny_py3_protocol5.pkl", "mnist_py3_protocol5.pkl.gz", "mnist_py2_style.pkl.gz" }
            .Select(f => File.ReadAllBytes(Path.Combine(fixtures, "pickle", f)))
            .Select(b => b[0] == 0x1f ? Inputs.Gunzip(b) : b).ToArray();
        Reference = File.ReadAllBytes(Path.Combine(fixtures, "torch", "n5_in3_h1_s4.npz"));
        string model = Path.Combine(Dir, "model.safetensors"), ckpt = Path.Combine(Dir, "run.ckpt");
        var r = Mlp.Run(Dir, null, "train", "--data", DataDir, "--epochs", "1", "--hidden", "8", "--batch", "50", "--momentum", "0.5",
                        "--save", model, "--checkpoint", ckpt, "--json");
        Assert.True(r.ExitCode == 0, $"making the base model: exit {r.ExitCode}: {r.Stderr}");
        Model = File.ReadAllBytes(model);
        Checkpoint = File.ReadAllBytes(ckpt);
    }

    public string Dir { get; }

    /// <summary>A folder with the 300 valid IDX images and labels.</summary>
    public string DataDir { get; }

    public byte[] Images { get; }

    public byte[] Labels { get; }

    /// <summary>Valid pickles, decompressed.</summary>
    public byte[][] Pickles { get; }

    public byte[] Reference { get; }

    public byte[] Model { get; }

    public byte[] Checkpoint { get; }

    public void Dispose() => Directory.Delete(Dir, true);
}
