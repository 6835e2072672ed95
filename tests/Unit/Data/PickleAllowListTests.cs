using Mlp.Data;

namespace Mlp.Tests.Data;

/// <summary>
/// The pickle reader is one allow-listed interpreter (issue 12, item 1; issue 14's protocol 5): what it checks is what
/// it builds, so a stack trick that once made a checker and a second parser disagree is refused by the global's name.
/// </summary>
public class PickleAllowListTests
{
    private static string Refused(string path, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => MnistPickleReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        return e.Message;
    }

    private static string RefusedBytes(byte[] data, string problem) => Refused(TestData.TempFile("evil.pkl", data), problem);

    private static byte[] Short(string s) => [0x8c, (byte)s.Length, .. System.Text.Encoding.ASCII.GetBytes(s)];

    // The repro: PROTO 4; 'numpy' 'os' DUP POP BINPUT 0; 'dtype' 'system' DUP POP BINPUT 1; BINGET 0;
    // BINGET 1; STACK_GLOBAL; EMPTY_TUPLE; REDUCE; STOP. A checker that treats DUP as a no-op memoizes
    // 'numpy'/'dtype'; the real stack memoizes 'os'/'system'.
    private static byte[] DupTrick(string module, string name) =>
        [0x80, 4, .. Short("numpy"), .. Short(module), (byte)'2', (byte)'0', (byte)'q', 0,
         .. Short("dtype"), .. Short(name), (byte)'2', (byte)'0', (byte)'q', 1, (byte)'h', 0, (byte)'h', 1, 0x93, (byte)')', (byte)'R', (byte)'.'];

    [Theory]
    [InlineData("os", "system")]
    [InlineData("array", "array")]
    [InlineData("decimal", "Decimal")]
    public void The_dup_trick_is_refused_by_the_name_the_real_stack_holds(string module, string name) =>
        RefusedBytes(DupTrick(module, name), $"references the global '{module}.{name}'");

    [Fact]
    public void The_dup_trick_on_numpy_itself_builds_what_the_stack_says()
    {
        // DUP really copies: with module = name = numpy's own, the memo holds 'numpy'/'dtype', and dtype() without
        // arguments is a malformed call, not a crash or a silent object.
        RefusedBytes(DupTrick("numpy", "dtype"), "numpy.dtype is called with ()");
    }

    [Fact]
    public void Protocol_5_pickles_with_in_band_buffers_read_like_protocol_2()
    {
        var p5 = MnistPickleReader.Read(TestData.PickleFixture("mnist_py3_protocol5.pkl.gz"));
        var p2 = MnistPickleReader.Read(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz"));
        foreach (var (a, b) in new[] { (p5.Train, p2.Train), (p5.Valid, p2.Valid), (p5.Test!, p2.Test!) })
        {
            Assert.Equal(b.X.ShapeArray(), a.X.ShapeArray());
            Assert.Equal(b.X.ToArray(), a.X.ToArray());
            Assert.Equal(b.Labels, a.Labels);
        }
        Assert.Equal(6, p5.Train.Count);
    }

    [Fact]
    public void A_tiny_protocol_5_pickle_reads()
    {
        var s = MnistPickleReader.Read(TestData.PickleFixture("tiny_py3_protocol5.pkl"));
        Assert.Equal(new float[] { 0, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f }, s.Train.X.ToArray());
        Assert.Equal([3, 1], s.Train.Labels);
    }

    [Fact]
    public void Out_of_band_buffers_are_refused_by_name() =>
        Refused(TestData.PickleFixture("out_of_band_protocol5.pkl"), "out-of-band buffers (NEXT_BUFFER)");

    [Fact]
    public void Protocol_0_text_pickles_are_refused_by_name() =>
        Refused(TestData.PickleFixture("protocol0.pkl"), "protocol 0 and 1 (text) pickles are not read");

    [Theory]
    [InlineData("label_20000.pkl.gz", 20000)]
    [InlineData("label_100000.pkl.gz", 100000)]
    [InlineData("label_2147483647.pkl.gz", 2147483647)]
    public void A_label_beyond_the_class_limit_is_refused_before_it_sizes_memory(string fixture, long label)
    {
        string m = Refused(TestData.PickleFixture(fixture), $"y_train[1] is {label}; class labels must be between 0 and {DataLimits.DefaultMaxClasses - 1}");
        Assert.Contains(DataLimits.MaxClassesVariable, m);
    }

    [Fact]
    public void A_split_with_zero_rows_is_refused_naming_it() =>
        Refused(TestData.PickleFixture("zero_rows.pkl.gz"), "x_valid has 0 rows");

    [Fact]
    public void Lists_dicts_and_object_construction_are_refused_by_opcode_name()
    {
        RefusedBytes([0x80, 2, (byte)']', (byte)'.'], "opcode EMPTY_LIST is not used");
        RefusedBytes([0x80, 2, (byte)'}', (byte)'.'], "opcode EMPTY_DICT is not used");
        RefusedBytes([0x80, 2, (byte)'N', (byte)')', 0x81, (byte)'.'], "opcode NEWOBJ is not used");
    }

    [Fact]
    public void Trailing_bytes_after_stop_are_refused() =>
        RefusedBytes([0x80, 2, (byte)')', (byte)'.', (byte)'N'], "1 bytes follow the STOP opcode");
}
