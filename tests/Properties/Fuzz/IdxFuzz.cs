using FsCheck;
using FsCheck.Fluent;
using Mlp.Data;
using Mlp.Tests.Data;
using TestData = Mlp.Tests.Data.TestData;

namespace Mlp.Tests.Properties.Fuzz;

/// <summary>
/// Corrupts a slice of the real Fashion-MNIST test files (the first 50 images and labels, with a correct header)
/// raw, gzipped after corruption, or corrupted after gzip. The only outcomes allowed: a consistent result, or an
/// <see cref="InvalidDataException"/> naming the file. Anything else (IndexOutOfRange, OutOfMemory, …) fails.
/// </summary>
public class IdxFuzz
{
    private const int Cases = 1000;
    private static readonly byte[] Images = TestData.RealImagesIdx(50);
    private static readonly byte[] Labels = TestData.RealLabelsIdx(50);
    private static readonly byte[] ImagesGz = TestData.Gzip(Images);
    private static readonly byte[] LabelsGz = TestData.Gzip(Labels);

    /// <summary>0: corrupt the raw file; 1: corrupt, then gzip; 2: gzip, then corrupt the compressed bytes.</summary>
    public sealed record Case(int Mode, bool ForwardOnly, Mutation Mutation)
    {
        public byte[] Bytes(byte[] raw, byte[] gz) => Mode switch
        {
            0 => Mutation.Apply(raw),
            1 => TestData.Gzip(Mutation.Apply(raw)),
            _ => Mutation.Apply(gz),
        };

        public Stream Open(byte[] data) => ForwardOnly ? new ForwardOnlyStream(new MemoryStream(data)) : new MemoryStream(data);
    }

    private static Arbitrary<Case> CasesFor(byte[] raw, byte[] gz, int header) =>
        (from mode in Gen.Choose(0, 2)
         from forward in Gen.Elements(false, true)
         from m in Mutation.Gen(mode == 2 ? gz.Length : raw.Length, mode == 2 ? 32 : header, "word-be", 4)
         select new Case(mode, forward, m)).ToArbitrary();

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    [Fact]
    public void Corrupted_image_files_give_consistent_images_or_invalid_data_naming_the_file()
    {
        Prop.ForAll(CasesFor(Images, ImagesGz, 16), c =>
        {
            const string name = "fuzzed-images";
            try
            {
                Tensor x = IdxReader.ReadImages(c.Open(c.Bytes(Images, ImagesGz)), name);
                return x.Rank == 2 && x.Shape[0] * x.Shape[1] == x.Length && x.Shape[1] > 0 &&
                       x.Min().ToScalar() >= 0f && x.Max().ToScalar() <= 1f;
            }
            catch (InvalidDataException e)
            {
                return e.Message.StartsWith(name + ": ", StringComparison.Ordinal);
            }
        }).Check(Config);
    }

    [Fact]
    public void Corrupted_label_files_give_byte_labels_or_invalid_data_naming_the_file()
    {
        Prop.ForAll(CasesFor(Labels, LabelsGz, 8), c =>
        {
            const string name = "fuzzed-labels";
            try
            {
                int[] y = IdxReader.ReadLabels(c.Open(c.Bytes(Labels, LabelsGz)), name);
                return y.All(v => v is >= 0 and <= 255);
            }
            catch (InvalidDataException e)
            {
                return e.Message.StartsWith(name + ": ", StringComparison.Ordinal);
            }
        }).Check(Config);
    }
}
