using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Mlp.TestShared;

namespace Mlp.Hostile;

/// <summary>One hostile input: the file(s) to write and the mlp command that reads them.</summary>
/// <param name="Format">idx, pickle, npz, safetensors or checkpoint.</param>
/// <param name="Name">What was done to the file, for the report.</param>
/// <param name="FileName">The file written in a fresh folder (for idx: the images or labels file in a data folder).</param>
/// <param name="Bytes">Its content.</param>
/// <param name="Env">Extra environment variables, or null.</param>
public sealed record HostileInput(string Format, string Name, string FileName, byte[] Bytes, Dictionary<string, string>? Env = null)
{
    public override string ToString() => $"{Format}/{Name}";
}

/// <summary>Generates hostile inputs: hand-made lies and bombs per format, then seeded random corruptions of valid files.</summary>
internal static class Inputs
{
    public const string ImagesName = "t10k-images-idx3-ubyte", LabelsName = "t10k-labels-idx1-ubyte";

    private static readonly uint[] Interesting = [0, 1, 2, 255, 65535, 65536, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x10000000, 20000];

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    public static byte[] Mutate(byte[] data, Random rng)
    {
        var b = (byte[])data.Clone();
        int Offset(int width) => b.Length <= width ? 0 : rng.Next(2) == 0 ? rng.Next(Math.Max(1, Math.Min(64, b.Length - width))) : rng.Next(b.Length - width);
        switch (rng.Next(6))
        {
            case 0:
                if (b.Length > 0) b[Offset(1)] ^= (byte)rng.Next(1, 256);
                return b;
            case 1:
            {
                if (b.Length < 4) return b;
                int at = Offset(4);
                uint v = Interesting[rng.Next(Interesting.Length)];
                if (rng.Next(2) == 0) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
                else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
                return b;
            }
            case 2: return b[..rng.Next(b.Length)];
            case 3:
            {
                int at = rng.Next(b.Length + 1);
                var junk = new byte[rng.Next(1, 64)];
                rng.NextBytes(junk);
                return [.. b[..at], .. junk, .. b[at..]];
            }
            case 4:
            {
                if (b.Length == 0) return b;
                int at = rng.Next(b.Length), len = rng.Next(1, Math.Min(4096, b.Length - at) + 1);
                return [.. b[..(at + len)], .. b[at..]];
            }
            default:
            {
                if (b.Length == 0) return b;
                int at = Offset(1), len = rng.Next(1, Math.Min(256, b.Length - at) + 1);
                b.AsSpan(at, len).Clear();
                return b;
            }
        }
    }

    // ---------------------------------------------------------------- IDX

    public static byte[] IdxImages(int n, int rows, int cols, ReadOnlySpan<byte> pixels)
    {
        var b = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        pixels.CopyTo(b.AsSpan(16));
        return b;
    }

    public static byte[] IdxLabels(int n, ReadOnlySpan<byte> labels)
    {
        var b = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), n);
        labels.CopyTo(b.AsSpan(8));
        return b;
    }

    public static IEnumerable<HostileInput> Idx(Bases bases, int random)
    {
        byte[] img = bases.Images, lab = bases.Labels;
        HostileInput I(string name, byte[] bytes, string file = ImagesName) => new("idx", name, file, bytes);
        yield return I("n=0 rows=cols=65536 (rows*cols overflows)", IdxImages(0, 65536, 65536, []));
        yield return I("n=100M, 784 bytes of data", IdxImages(100_000_000, 28, 28, img.AsSpan(16, 784)));
        yield return I("rows=0", IdxImages(300, 0, 28, []));
        yield return I("gzip bomb: 200 MB of zeros under a consistent header", GzipBombs.Zeros(IdxImages(255102, 28, 28, []), 255102L * 784), ImagesName + ".gz");
        yield return I("gzip bomb with a header claiming 2^31-1 images", GzipBombs.Zeros(IdxImages(int.MaxValue, 28, 28, []), 64L << 20), ImagesName + ".gz");
        yield return I("labels: count 0xFFFFFFFF", IdxLabels(-1, lab.AsSpan(8)), LabelsName);
        yield return I("labels: gzip bomb 100 MB", GzipBombs.Zeros(IdxLabels(100_000_000, []), 100_000_000), LabelsName + ".gz");
        yield return I("magic of a pickle", [0x80, 2, .. img[2..]]);
        yield return I("labels and images swapped", lab);
        yield return I("images of 27x29 pixels", IdxImages(300, 27, 29, img.AsSpan(16, 300 * 27 * 29)));
        yield return I("one image", IdxImages(1, 28, 28, img.AsSpan(16, 784)));
        yield return I("data after the declared images", [.. img, 1, 2, 3]);
        yield return I("empty file", []);
        var rng = new Random(1201);
        for (int i = 0; i < random; i++)
        {
            bool labels = rng.Next(4) == 0, gz = rng.Next(3) == 0;
            byte[] m = Mutate(labels ? lab : img, rng);
            yield return I($"random #{i}{(gz ? " gz" : "")}", gz ? Gzip(m) : m, (labels ? LabelsName : ImagesName) + (gz ? ".gz" : ""));
        }
    }

    // ---------------------------------------------------------------- pickle

    private static byte[] Short(string s) => [0x8c, (byte)s.Length, .. Encoding.ASCII.GetBytes(s)];

    private static byte[] DupTrick(string module, string name) =>
        [0x80, 4, .. Short("numpy"), .. Short(module), (byte)'2', (byte)'0', (byte)'q', 0,
         .. Short("dtype"), .. Short(name), (byte)'2', (byte)'0', (byte)'q', 1, (byte)'h', 0, (byte)'h', 1, 0x93, (byte)')', (byte)'R', (byte)'.'];

    public static IEnumerable<HostileInput> Pickle(Bases bases, int random)
    {
        HostileInput P(string name, byte[] bytes, string file = "mnist.pkl") => new("pickle", name, file, bytes);
        foreach (var (m, n) in new[] { ("os", "system"), ("array", "array"), ("decimal", "Decimal"), ("builtins", "eval") })
            yield return P($"DUP trick building {m}.{n}", Gzip(DupTrick(m, n)), "evil.pkl.gz");
        foreach (string f in new[] { "label_20000.pkl.gz", "label_100000.pkl.gz", "label_2147483647.pkl.gz", "zero_rows.pkl.gz",
                                     "out_of_band_protocol5.pkl", "protocol0.pkl", "malicious_global.pkl", "malicious_stack_global.pkl",
                                     "shape_exceeds_data.pkl.gz", "object_labels.pkl.gz", "big_endian.pkl.gz", "nan_pixel.pkl.gz" })
            yield return P(f, File.ReadAllBytes(Path.Combine(Mlp.RepoRoot, "tests", "fixtures", "pickle", f)), f);
        yield return P("label 4095, the largest the default class limit allows (4096 classes, bounded memory)",
            File.ReadAllBytes(Path.Combine(Mlp.RepoRoot, "tests", "fixtures", "pickle", "label_4095.pkl.gz")), "label_4095.pkl.gz");
        yield return P("labels up to 9 refused by MLP_MAX_CLASSES=5 (the limit is overridable)",
            File.ReadAllBytes(Path.Combine(Mlp.RepoRoot, "tests", "fixtures", "pickle", "mnist_py3_protocol5.pkl.gz")), "p5.pkl.gz") with
        { Env = new() { ["MLP_MAX_CLASSES"] = "5" } };
        // PROTO 4; BINBYTES8 of 200 MB zeros; STOP — gzipped to ~200 KB.
        yield return P("gzip bomb: 200 MB BINBYTES8", GzipBombs.Zeros([0x80, 4, 0x8e, .. BitConverter.GetBytes(200L << 20)], 200L << 20, [(byte)'.']), "bomb.pkl.gz");
        yield return P("BINUNICODE8 claiming 2^62 bytes", [0x80, 4, 0x8d, .. BitConverter.GetBytes(1L << 62), (byte)'.']);
        yield return P("100000 MARKs", [0x80, 2, .. Enumerable.Repeat((byte)'(', 100_000), (byte)'.']);
        yield return P("memo flood", [0x80, 4, (byte)'N', .. Enumerable.Range(0, 50_000).SelectMany(_ => new byte[] { 0x94 }), (byte)'.']);
        yield return P("LONG1 of 255 bytes", [0x80, 2, 0x8a, 255, .. new byte[255], (byte)'.']);
        yield return P("empty", []);
        var rng = new Random(1202);
        for (int i = 0; i < random; i++)
        {
            byte[] baseRaw = bases.Pickles[rng.Next(bases.Pickles.Length)];
            bool gz = rng.Next(2) == 0;
            byte[] m = Mutate(baseRaw, rng);
            yield return P($"random #{i}{(gz ? " gz" : "")}", gz ? Gzip(m) : m, gz ? "mnist.pkl.gz" : "mnist.pkl");
        }
    }

    // ---------------------------------------------------------------- npz (and the npy inside it)

    private static byte[] Npy(string descr, string shape, long dataBytes, int version = 1)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string padded = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";
        var h = new byte[total];
        h[0] = 0x93;
        "NUMPY"u8.CopyTo(h.AsSpan(1));
        h[6] = (byte)version;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(8), (ushort)padded.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), (uint)padded.Length);
        Encoding.Latin1.GetBytes(padded, h.AsSpan(prefix));
        return h;
    }

    /// <summary>An npz whose entries are the given (name, header, zero-data length) — written streaming, deflated.</summary>
    private static byte[] Npz(IEnumerable<(string Name, byte[] Head, long Zeros)> entries, IEnumerable<(string Name, byte[] Bytes)>? extra = null)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in extra ?? [])
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(bytes);
            }
            foreach (var (name, head, zeros) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(head);
                var z = new byte[1 << 20];
                for (long left = zeros; left > 0; left -= z.Length) s.Write(z, 0, (int)Math.Min(z.Length, left));
            }
        }
        return ms.ToArray();
    }

    private static List<(string Name, byte[] Bytes)> Entries(byte[] npz)
    {
        using var zip = new ZipArchive(new MemoryStream(npz), ZipArchiveMode.Read);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        }).ToList();
    }

    public static IEnumerable<HostileInput> Npz(Bases bases, int random)
    {
        HostileInput Z(string name, byte[] bytes) => new("npz", name, "reference.npz", bytes);
        var good = Entries(bases.Reference);
        yield return Z("unused 256 MB zero entry beside the real arrays (not read)", Npz([("junk.npy", Npy("<f4", "(67108864,)", 0), 256L << 20)], good));
        yield return Z("unused 256 MB non-npy entry", Npz([("junk.bin", [], 256L << 20)], good));
        yield return Z("x: 256 MB of zeros declared by its header", Npz([("x.npy", Npy("<f4", "(67108864,)", 0), 256L << 20)], good.Where(e => e.Name != "x.npy")));
        yield return Z("x: header declares 2^40 elements", Npz([("x.npy", Npy("<f4", "(1099511627776,)", 0), 0)], good.Where(e => e.Name != "x.npy")));
        yield return Z("x: object dtype", Npz([("x.npy", Npy("|O", "(5, 3)", 0), 120)], good.Where(e => e.Name != "x.npy")));
        yield return Z("x: big-endian", Npz([("x.npy", Npy(">f4", "(5, 3)", 0), 60)], good.Where(e => e.Name != "x.npy")));
        yield return Z("x: header length 0xFFFFFFFF (v2)", Npz([("x.npy", [0x93, .. "NUMPY"u8, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF], 1000)], good.Where(e => e.Name != "x.npy")));
        yield return Z("no arrays", Npz([]));
        yield return Z("not a zip", "PK\u0003\u0004 not really"u8.ToArray());
        var rng = new Random(1203);
        for (int i = 0; i < random; i++)
        {
            if (rng.Next(2) == 0)
            {
                yield return Z($"random zip bytes #{i}", Mutate(bases.Reference, rng));
                continue;
            }
            int k = rng.Next(good.Count);
            var entries = good.Select((e, j) => j == k ? (e.Name, Mutate(e.Bytes, rng)) : e);
            yield return Z($"random npy entry #{i} ({good[k].Name})", Npz([], entries));
        }
    }

    // ---------------------------------------------------------------- safetensors (model files and checkpoints)

    public static (string Json, byte[] Data) SplitSafetensors(byte[] file)
    {
        long n = BinaryPrimitives.ReadInt64LittleEndian(file);
        return (Encoding.UTF8.GetString(file, 8, (int)n), file[(8 + (int)n)..]);
    }

    public static byte[] JoinSafetensors(string json, byte[] data) => JoinSafetensors(Encoding.UTF8.GetBytes(json), data);

    public static byte[] JoinSafetensors(byte[] json, byte[] data)
    {
        var b = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(b, json.Length);
        json.CopyTo(b, 8);
        data.CopyTo(b, 8 + json.Length);
        return b;
    }

    private static byte[] Replace(byte[] file, string from, string to)
    {
        var (json, data) = SplitSafetensors(file);
        Assert.Contains(from, json);
        return JoinSafetensors(json.Replace(from, to), data);
    }

    private static byte[] WithMeta(byte[] file, string key, string value)
    {
        var (json, data) = SplitSafetensors(file);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["__metadata__"]![key] = value;
        return JoinSafetensors(node.ToJsonString(), data);
    }

    private static byte[] FirstFloat(byte[] file, float v)
    {
        var (json, data) = SplitSafetensors(file);
        var d = (byte[])data.Clone();
        BinaryPrimitives.WriteSingleLittleEndian(d, v);
        return JoinSafetensors(json, d);
    }

    public static IEnumerable<HostileInput> Model(Bases bases, int random)
    {
        byte[] m = bases.Model;
        HostileInput S(string name, byte[] bytes) => new("safetensors", name, "model.safetensors", bytes);
        var (json, data) = SplitSafetensors(m);
        yield return S("header length 2^62", [.. BitConverter.GetBytes(1L << 62), .. m[8..]]);
        yield return S("header not UTF-8", JoinSafetensors([.. Encoding.UTF8.GetBytes(json)[..^1], 0xC3, 0x28, (byte)'}'], data));
        yield return S("duplicate tensor key", JoinSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        yield return S("duplicate metadata key", Replace(m, "\"__metadata__\":{", "\"__metadata__\":{\"format\":\"pt\","));
        yield return S("NaN weight", FirstFloat(m, float.NaN));
        yield return S("+Inf weight", FirstFloat(m, float.PositiveInfinity));
        yield return S("stored std 0", WithMeta(m, "mlp.input_std", "0"));
        yield return S("stored std NaN", WithMeta(m, "mlp.input_std", "NaN"));
        yield return S("stored std unparsable", WithMeta(m, "mlp.input_std", "zero point three"));
        yield return S("layers: Linear(784, 65536)", WithMeta(m, "mlp.layers", "[\"Linear(784, 65536)\", \"ReLU()\", \"Linear(65536, 10)\"]"));
        yield return S("layers: not JSON", WithMeta(m, "mlp.layers", "[\"Linear(784"));
        yield return S("layers: unknown layer", WithMeta(m, "mlp.layers", "[\"Evil()\"]"));
        yield return S("shape claims 2^31 elements", Replace(m, "\"shape\":[8,784]", "\"shape\":[65536,32768]"));
        yield return S("truncated data", m[..^100]);
        yield return S("empty", []);
        var rng = new Random(1204);
        for (int i = 0; i < random; i++)
        {
            if (rng.Next(2) == 0) yield return S($"random #{i}", Mutate(m, rng));
            else
            {
                var jb = Encoding.UTF8.GetBytes(json);
                var mj = Mutate(jb, rng);
                yield return S($"random header #{i}", JoinSafetensors(mj, data));
            }
        }
    }

    public static IEnumerable<HostileInput> Checkpoint(Bases bases, int random)
    {
        byte[] c = bases.Checkpoint;
        HostileInput C(string name, byte[] bytes) => new("checkpoint", name, "run.ckpt", bytes);
        var (json, data) = SplitSafetensors(c);
        var opt = System.Text.Json.Nodes.JsonNode.Parse(json)!["__metadata__"]!["mlp.optimizer"]!.GetValue<string>();
        string With(string key, string value) => opt.Replace($"\"{key}\":", $"\"{key}\":{value},\"_{key}\":");
        yield return C("lr 0", WithMeta(c, "mlp.optimizer", With("lr", "0")));
        yield return C("lr -1", WithMeta(c, "mlp.optimizer", With("lr", "-1")));
        yield return C("adam beta1 1", WithMeta(c, "mlp.optimizer", "{\"type\":\"adam\",\"lr\":0.001,\"beta1\":1,\"beta2\":0.999,\"eps\":1e-8,\"weight_decay\":0}"));
        yield return C("adam without its buffers", WithMeta(c, "mlp.optimizer", "{\"type\":\"adam\",\"lr\":0.001,\"beta1\":0.9,\"beta2\":0.999,\"eps\":1e-8,\"weight_decay\":0}"));
        yield return C("momentum without its buffer", WithMeta(c, "mlp.optimizer", With("momentum", "0.9")));
        yield return C("buffers names a missing tensor", WithMeta(c, "mlp.optimizer.buffers", "[\"momentum_buffer\"]"));
        yield return C("optimizer not JSON", WithMeta(c, "mlp.optimizer", "{"));
        yield return C("history not JSON", WithMeta(c, "mlp.history", "[{"));
        yield return C("step -1", WithMeta(c, "mlp.step", "-1"));
        yield return C("epoch 2^40", WithMeta(c, "mlp.epoch", "1099511627776"));
        yield return C("batch size 0", WithMeta(c, "mlp.batch_size", "0"));
        yield return C("seed 2^64-1", WithMeta(c, "mlp.seed", "18446744073709551615"));
        yield return C("NaN weight", FirstFloat(c, float.NaN));
        yield return C("truncated", c[..(c.Length / 2)]);
        var rng = new Random(1205);
        for (int i = 0; i < random; i++)
        {
            if (rng.Next(2) == 0) yield return C($"random #{i}", Mutate(c, rng));
            else yield return C($"random header #{i}", JoinSafetensors(Mutate(Encoding.UTF8.GetBytes(json), rng), data));
        }
    }
}
