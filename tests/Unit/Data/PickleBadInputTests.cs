using Mlp.Data;

namespace Mlp.Tests.Data;

/// <summary>Every refused or malformed pickle: an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
public class PickleBadInputTests
{
    private static void Refused(string fixture, string problem)
    {
        string path = TestData.PickleFixture(fixture);
        var e = Assert.Throws<InvalidDataException>(() => MnistPickleReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    private static void RefusedBytes(byte[] data, string problem)
    {
        string path = TestData.TempFile("mnist.pkl.gz", data);
        var e = Assert.Throws<InvalidDataException>(() => MnistPickleReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Matches(problem, e.Message);
    }

    [Fact]
    public void Fortran_order_arrays_are_refused() => Refused("fortran_order.pkl.gz", "Fortran-order arrays are refused (shape (2, 4))");

    [Fact]
    public void Big_endian_arrays_are_refused() => Refused("big_endian.pkl.gz", "big-endian arrays (dtype '>f4') are refused");

    [Fact]
    public void Object_arrays_are_refused() => Refused("object_labels.pkl.gz", "object arrays (dtype 'O8') are refused");

    [Fact]
    public void A_global_outside_numpy_is_refused_by_name() =>
        Refused("malicious_global.pkl", "references the global 'posix.system'");

    [Fact]
    public void A_protocol4_stack_global_outside_numpy_is_refused_by_name() =>
        Refused("malicious_stack_global.pkl", "references the global 'posix.system'");

    [Fact]
    public void Rows_and_labels_that_disagree_are_refused() =>
        Refused("counts_disagree.pkl.gz", "x_train has 2 rows but y_train has 1 labels");

    [Fact]
    public void A_negative_label_is_refused() => Refused("negative_label.pkl.gz", "y_train[1] is -1");

    [Fact]
    public void A_label_beyond_int32_is_refused() => Refused("huge_label.pkl.gz", "y_train[1] is 1099511627776");

    [Fact]
    public void A_nan_pixel_is_refused() => Refused("nan_pixel.pkl.gz", "x_train holds NaN at row 1, column 2");

    [Fact]
    public void Features_that_are_not_2d_are_refused() => Refused("x_3d.pkl.gz", "x_train has shape (2, 2, 2)");

    [Fact]
    public void Float_labels_are_refused() => Refused("float_labels.pkl.gz", "y_train has dtype float32");

    [Fact]
    public void A_pickle_of_something_else_is_refused() => Refused("not_a_tuple.pkl.gz", "opcode EMPTY_DICT is not used by pickles of numpy arrays");

    [Fact]
    public void A_shape_larger_than_the_data_is_refused_before_allocating() =>
        Refused("shape_exceeds_data.pkl.gz", "shape (1000000, 784) and dtype float32 needs 3136000000 bytes but the pickle holds 32");

    [Fact]
    public void A_truncated_pickle_is_refused()
    {
        byte[] raw = TestData.Gunzip(File.ReadAllBytes(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz")));
        RefusedBytes(TestData.Gzip(raw[..^200]), "malformed pickle: truncated");
    }

    [Fact]
    public void A_cut_gzip_stream_is_refused()
    {
        byte[] gz = File.ReadAllBytes(TestData.PickleFixture("mnist_py3_protocol2.pkl.gz"));
        RefusedBytes(gz[..(gz.Length / 2)], "truncated|corrupt gzip");
    }

    [Fact]
    public void Text_is_not_a_pickle() => RefusedBytes("<html>not a pickle</html>"u8.ToArray(), "does not start with a PROTO opcode");

    [Fact]
    public void An_empty_file_is_refused() => RefusedBytes([], "the file is empty");

    [Fact]
    public void An_idx_file_given_as_a_pickle_says_to_pass_the_directory() =>
        RefusedBytes(TestData.RealLabelsIdx(10), "this is an IDX file, not a pickle");

    [Fact]
    public void An_unknown_protocol_is_refused() => RefusedBytes([0x80, 9, (byte)'N', (byte)'.'], "pickle protocol 9 is not read");

    [Fact]
    public void Persistent_ids_are_refused() => RefusedBytes([0x80, 2, .. "P1\n."u8], "persistent ids");
    [Fact]
    public void A_global_assembled_from_memoized_strings_is_still_refused_by_name()
    {
        // PROTO 4; 'posix' BINPUT 7 POP; 'system' BINPUT 3 POP; BINGET 7; BINGET 3; STACK_GLOBAL; STOP
        byte[] p = [0x80, 4, 0x8c, 5, .. "posix"u8, (byte)'q', 7, (byte)'0', 0x8c, 6, .. "system"u8, (byte)'q', 3, (byte)'0',
                    (byte)'h', 7, (byte)'h', 3, 0x93, (byte)'.'];
        RefusedBytes(p, "references the global 'posix.system'");
    }

    [Fact]
    public void An_inst_opcode_is_refused_by_name() =>
        RefusedBytes([0x80, 2, .. "(ios\nsystem\n."u8], "opcode INST is not used by pickles of numpy arrays and is refused");

    [Fact]
    public void Text_memo_opcodes_of_protocol_0_are_refused_by_name() =>
        RefusedBytes([0x80, 2, .. "Np+1\n."u8], "opcode PUT is not used by pickles of numpy arrays");
}
