using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;

namespace Mlp.Tests.Properties.Fuzz;

/// <summary>One corruption of a real file: cut it, flip bits in it, or overwrite a 32-bit word (a header field or a length).</summary>
/// <param name="Kind">"truncate", "flip", "word-be" (IDX header, big-endian) or "word-le" (pickle length, little-endian).</param>
/// <param name="Position">Truncation length, or the byte offset of the word.</param>
/// <param name="Value">The word written.</param>
/// <param name="Bits">Bit indices flipped (taken modulo the file's bit length).</param>
public sealed record Mutation(string Kind, int Position, uint Value, int[] Bits)
{
    public byte[] Apply(byte[] data)
    {
        var d = (byte[])data.Clone();
        switch (Kind)
        {
            case "truncate":
                return d[..Math.Min(Position, d.Length)];
            case "flip":
                foreach (int b in Bits)
                {
                    int bit = (int)((uint)b % (uint)(d.Length * 8));
                    d[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                return d;
            case "word-be" when Position + 4 <= d.Length:
                BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(Position), Value);
                return d;
            case "word-le" when Position + 4 <= d.Length:
                BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(Position), Value);
                return d;
            default:
                return d;
        }
    }

    public override string ToString() => $"{Kind} pos={Position} value=0x{Value:X8} bits=[{string.Join(",", Bits)}]";

    private static readonly uint[] Interesting = [0, 1, 2, 3, 7, 8, 49, 50, 51, 255, 256, 783, 784, 2049, 2051, 0x0D03, 65535, 65536,
                                                  0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    /// <summary>
    /// Mutations of a file of <paramref name="length"/> bytes; flips and words land in the first
    /// <paramref name="hot"/> bytes (header / structure) half of the time. <paramref name="wordKind"/> picks the byte
    /// order and <paramref name="wordStride"/> aligns words (4 for IDX header fields, 1 for pickle lengths).
    /// </summary>
    public static Gen<Mutation> Gen(int length, int hot, string wordKind, int wordStride)
    {
        Gen<int> anywhere = FsCheck.Fluent.Gen.Choose(0, length - 1);
        Gen<int> position = FsCheck.Fluent.Gen.OneOf(FsCheck.Fluent.Gen.Choose(0, Math.Min(hot, length) - 1), anywhere);
        Gen<uint> value = FsCheck.Fluent.Gen.OneOf(
            FsCheck.Fluent.Gen.Elements(Interesting),
            FsCheck.Fluent.Gen.Choose(0, int.MaxValue).Select(v => (uint)v * 2 + (uint)(v & 1)));
        Gen<Mutation> truncate = anywhere.Select(p => new Mutation("truncate", p, 0, []));
        Gen<Mutation> flip =
            from n in FsCheck.Fluent.Gen.Choose(1, 8)
            from bits in FsCheck.Fluent.Gen.ArrayOf(position.SelectMany(p => FsCheck.Fluent.Gen.Choose(0, 7).Select(b => p * 8 + b)), n)
            select new Mutation("flip", 0, 0, bits);
        Gen<Mutation> word =
            from p in position
            from v in value
            select new Mutation(wordKind, p / wordStride * wordStride, v, []);
        return FsCheck.Fluent.Gen.OneOf(truncate, flip, word);
    }
}
