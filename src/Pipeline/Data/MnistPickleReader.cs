using Mlp.Data.Pickle;
using Mlp.Numpy;

namespace Mlp.Data;

/// <summary>
/// Reads the lesson's <c>mnist.pkl.gz</c>: a (gzipped) Python pickle of
/// <c>((x_train, y_train), (x_valid, y_valid), (x_test, y_test))</c> with float32 (n, 784) pixel arrays and
/// int64 (n,) label arrays. Python: <c>pickle.load(gzip.open(path), encoding='latin-1')</c>.
/// </summary>
/// <remarks>
/// <para>Both the original Python 2 pickle (array data as latin-1 <c>str</c>) and Python 3 pickles (protocols 2–5:
/// data as <c>bytes</c>, or in-band buffers through <c>_frombuffer</c> at protocol 5; numpy 1's <c>numpy.core</c> or
/// numpy 2's <c>numpy._core</c>) are read. float64 pixels are narrowed to float32; int32 labels are accepted. The
/// pickle is interpreted by a small allow-listed unpickler (<c>NumpyUnpickler</c>) that builds only numpy arrays:
/// any other global or opcode, Fortran-order, big-endian and object arrays are refused by name.</para>
/// <para>Resource contract: a gzipped pickle is decompressed only up to <see cref="DataLimits.MaxGzipExpansion"/>
/// times its compressed size (documented, overridable); the peak is the decompressed pickle plus about twice the
/// arrays it holds (their bytes, then the float32 tensor and int labels), after which only the returned data
/// stays. A label above <see cref="DataLimits.MaxClasses"/> − 1 is refused, so no class count sizes memory.</para>
/// </remarks>
public static class MnistPickleReader
{
    /// <summary>Reads the splits from a <c>.pkl.gz</c> or <c>.pkl</c> file (gzip is detected by its magic bytes).</summary>
    /// <param name="path">The pickle file.</param>
    /// <returns>Train, valid and test as stored in the file (test is null if the pickle has only two pairs).</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not such a pickle, or it is refused; the message names it and says why.</exception>
    public static DatasetSplits Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads the splits from <paramref name="stream"/> (from its current position; left open), as <see cref="Read(string)"/>.</summary>
    /// <param name="stream">The pickle's bytes, gzipped or raw.</param>
    /// <param name="name">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">The data is not such a pickle, or it is refused; the message starts with <paramref name="name"/>.</exception>
    public static DatasetSplits Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        return DataFileError.Guard(name, () =>
        {
            object? root;
            {
                byte[] bytes;
                using (var data = DataStream.Open(stream, name)) bytes = data.ReadToEnd("the pickle");
                if (bytes.Length == 0) throw DataFileError.Invalid(name, "the file is empty; a pickle was expected.");
                if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 8)
                    throw DataFileError.Invalid(name, "this is an IDX file, not a pickle; pass the directory that holds the IDX files instead.");
                root = NumpyUnpickler.Load(bytes, name);
            }
            return ToSplits(root, name);
        });
    }

    private static readonly string[] SplitNames = ["train", "valid", "test"];

    private static DatasetSplits ToSplits(object? root, string name)
    {
        const string expected = "((x_train, y_train), (x_valid, y_valid), (x_test, y_test)) of numpy arrays";
        if (root is not object?[] { Length: 2 or 3 } splits)
            throw DataFileError.Invalid(name, $"the pickle holds {Describe.Value(root)}; expected {expected}.");
        var sets = new Dataset[splits.Length];
        for (int k = 0; k < splits.Length; k++)
        {
            string split = SplitNames[k];
            if (splits[k] is not object?[] { Length: 2 } pair)
                throw DataFileError.Invalid(name, $"the {split} split is {Describe.Value(splits[k])}; expected a pair (x_{split}, y_{split}) in {expected}.");
            Tensor x = Features(pair[0], $"x_{split}", name);
            pair[0] = null;                            // the array's bytes can go once the tensor holds them
            int[] y = Labels(pair[1], $"y_{split}", name);
            if (x.Shape[0] != y.Length)
                throw DataFileError.Invalid(name, $"x_{split} has {x.Shape[0]} rows but y_{split} has {y.Length} labels; the counts must agree.");
            if (k > 0 && x.Shape[1] != sets[0].Features)
                throw DataFileError.Invalid(name, $"x_{split} has {x.Shape[1]} features per row but x_train has {sets[0].Features}.");
            sets[k] = new Dataset(x, y, $"{name} (x_{split}, y_{split})");
        }
        string rows = string.Join("/", sets.Select(s => s.Count));
        string description = $"train/valid/{(sets.Length == 3 ? "test" : "(no test)")} as stored in {name}: {rows} rows";
        return new DatasetSplits(sets[0], sets[1], sets.Length == 3 ? sets[2] : null, description);
    }

    private static Tensor Features(object? value, string what, string name)
    {
        var a = NdArray(value, what, name);
        if (a.Shape.Count != 2 || a.Shape[1] == 0)
            throw DataFileError.Invalid(name, $"{what} has shape {Tensor.ShapeString(a.ShapeArray())}; expected (n, features) with features ≥ 1.");
        if (a.Shape[0] == 0)
            throw DataFileError.Invalid(name, $"{what} has 0 rows (shape {Tensor.ShapeString(a.ShapeArray())}); every split needs at least one row.");
        if (a.DType is not (NpyDType.Float32 or NpyDType.Float64))
            throw DataFileError.Invalid(name, $"{what} has dtype {a.DType.Name()}; expected float32 (or float64) pixels.");
        Tensor x = a.ToTensor();
        var span = x.AsSpan();
        if (Kernels.Finite.IndexOfNonFinite(span) is var i and >= 0)
        {
            throw DataFileError.Invalid(name, $"{what} holds {span[i]} at row {i / a.Shape[1]}, column {i % a.Shape[1]}; pixels must be finite.");
        }
        return x;
    }

    private static int[] Labels(object? value, string what, string name)
    {
        var a = NdArray(value, what, name);
        if (a.Shape.Count != 1)
            throw DataFileError.Invalid(name, $"{what} has shape {Tensor.ShapeString(a.ShapeArray())}; expected (n,) labels.");
        if (a.DType is not (NpyDType.Int64 or NpyDType.Int32))
            throw DataFileError.Invalid(name, $"{what} has dtype {a.DType.Name()}; expected int64 (or int32) labels.");
        long[] raw = a.ToInt64Array();
        int maxClasses = DataLimits.MaxClasses;
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] < 0 || raw[i] >= maxClasses)
                throw DataFileError.Invalid(name, $"{what}[{i}] is {raw[i]}; class labels must be between 0 and {maxClasses - 1} " +
                                                  $"({DataLimits.MaxClassesHelp}).");
            labels[i] = (int)raw[i];
        }
        return labels;
    }

    private static NpyArray NdArray(object? value, string what, string name) =>
        value as NpyArray ?? throw DataFileError.Invalid(name, $"{what} is {Describe.Value(value)}; expected a numpy array.");
}
