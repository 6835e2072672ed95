using FsCheck;
using FsCheck.Fluent;
using Mlp.Data;
using Mlp.Tests.Data;
using TestData = Mlp.Tests.Data.TestData;

namespace Mlp.Tests.Properties.Fuzz;

/// <summary>
/// Corrupts the committed pickle fixtures (tools/make_pickle_fixtures.py): the tiny ones are mostly pickle
/// structure (opcodes, memo, globals, lengths); the real ones hold 10 real images. The only outcomes allowed:
/// splits with consistent shapes, or an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public class PickleFuzz
{
    private const int Cases = 1000;

    private static byte[] Raw(string fixture)
    {
        byte[] b = File.ReadAllBytes(TestData.PickleFixture(fixture));
        return fixture.EndsWith(".gz", StringComparison.Ordinal) ? TestData.Gunzip(b) : b;
    }

    private static readonly byte[][] Tiny = [Raw("tiny_py3_protocol2.pkl"), Raw("tiny_py2_style.pkl"), Raw("tiny_py3_protocol4.pkl")];
    private static readonly byte[][] Real = [Raw("mnist_py3_protocol2.pkl.gz"), Raw("mnist_py2_style.pkl.gz"), Raw("mnist_py3_protocol4.pkl")];

    /// <summary>Which fixture, whether to gzip the corrupted bytes, and the corruption.</summary>
    public sealed record Case(int Fixture, bool Gzip, Mutation Mutation);

    private static Arbitrary<Case> CasesFor(byte[][] fixtures, int hot) =>
        (from f in Gen.Choose(0, fixtures.Length - 1)
         from gz in Gen.Elements(false, true)
         from m in Mutation.Gen(fixtures[f].Length, hot, "word-le", 1)
         select new Case(f, gz, m)).ToArbitrary();

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    private static bool ReadsConsistentlyOrNamesTheFile(byte[][] fixtures, Case c)
    {
        const string name = "fuzzed.pkl";
        byte[] data = c.Mutation.Apply(fixtures[c.Fixture]);
        if (c.Gzip) data = TestData.Gzip(data);
        try
        {
            var s = MnistPickleReader.Read(new MemoryStream(data), name);
            return new[] { s.Train, s.Valid, s.Test }.Where(d => d != null).All(d =>
                d!.X.Rank == 2 && d.X.Shape[0] == d.Labels.Count && d.Features == s.Train.Features &&
                d.Labels.All(v => v >= 0) && AllFinite(d.X));
        }
        catch (InvalidDataException e)
        {
            return e.Message.StartsWith(name + ": ", StringComparison.Ordinal);
        }
    }

    private static bool AllFinite(Tensor x)
    {
        foreach (float v in x.AsSpan()) if (!float.IsFinite(v)) return false;
        return true;
    }

    [Fact]
    public void Corrupted_tiny_pickles_give_consistent_splits_or_invalid_data_naming_the_file() =>
        Prop.ForAll(CasesFor(Tiny, 400), c => ReadsConsistentlyOrNamesTheFile(Tiny, c)).Check(Config);

    [Fact]
    public void Corrupted_real_pickles_give_consistent_splits_or_invalid_data_naming_the_file() =>
        Prop.ForAll(CasesFor(Real, 300), c => ReadsConsistentlyOrNamesTheFile(Real, c)).Check(Config);
}
