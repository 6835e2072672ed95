using Mlp.Data.Pickle;
using Razorvine.Pickle;

namespace Mlp.Data;

/// <summary>
/// Reads the lesson's <c>mnist.pkl.gz</c>: a (gzipped) Python pickle of
/// <c>((x_train, y_train), (x_valid, y_valid), (x_test, y_test))</c> with float32 (n, 784) pixel arrays and
/// int64 (n,) label arrays. Python: <c>pickle.load(gzip.open(path), encoding='latin-1')</c>.
/// </summary>
/// <remarks>
/// Both the original Python 2 pickle (array data as latin-1 <c>str</c>) and Python 3 pickles (protocols 2–4,
/// data as <c>bytes</c>; numpy 1's <c>numpy.core</c> or numpy 2's <c>numpy._core</c>) are read. float64 pixels
/// are narrowed to float32; int32 labels are accepted. Only numpy arrays and dtypes are constructed: any other
/// global in the pickle, Fortran-order, big-endian and object arrays are refused before use.
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
        NumpyConstructors.Register();
        return DataFileError.Guard(name, () =>
        {
            byte[] bytes;
            using (var data = DataStream.Open(stream, name)) bytes = data.ReadToEnd("the pickle");
            if (bytes.Length == 0) throw DataFileError.Invalid(name, "the file is empty; a pickle was expected.");
            if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 8)
                throw DataFileError.Invalid(name, "this is an IDX file, not a pickle; pass the directory that holds the IDX files instead.");
            PickleScanner.Check(bytes, name);
            return ToSplits(Unpickle(bytes, name), name);
        });
    }

    private static object Unpickle(byte[] bytes, string name)
    {
        try
        {
            using var unpickler = new Unpickler();
            return unpickler.loads(bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Razorvine wraps exceptions from __setstate__ (PickleException → TargetInvocationException → ours).
            for (Exception? inner = e; inner != null; inner = inner.InnerException)
                if (inner is NumpyPickleException refused)
                    throw DataFileError.Invalid(name, refused.Message + ".", e);
            throw DataFileError.Invalid(name, $"malformed pickle ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static readonly string[] SplitNames = ["train", "valid", "test"];

    private static DatasetSplits ToSplits(object root, string name)
    {
        const string expected = "((x_train, y_train), (x_valid, y_valid), (x_test, y_test)) of numpy arrays";
        if (root is not object[] { Length: 2 or 3 } splits)
            throw DataFileError.Invalid(name, $"the pickle holds {Describe.Value(root)}; expected {expected}.");
        var sets = new Dataset[splits.Length];
        for (int k = 0; k < splits.Length; k++)
        {
            string split = SplitNames[k];
            if (splits[k] is not object[] { Length: 2 } pair)
                throw DataFileError.Invalid(name, $"the {split} split is {Describe.Value(splits[k])}; expected a pair (x_{split}, y_{split}) in {expected}.");
            Tensor x = Features(pair[0], $"x_{split}", name);
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
        if (a.Shape.Length != 2 || a.Shape[1] == 0)
            throw DataFileError.Invalid(name, $"{what} has shape {Tensor.ShapeString(a.Shape)}; expected (n, features) with features ≥ 1.");
        if (a.Dtype.Kind != 'f' || a.Dtype.ItemSize is not (4 or 8))
            throw DataFileError.Invalid(name, $"{what} has dtype {a.Dtype.Name}; expected float32 (or float64) pixels.");
        float[] x = a.ToSingles();
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(x))
        {
            int i = Array.FindIndex(x, v => !float.IsFinite(v));
            throw DataFileError.Invalid(name, $"{what} holds {x[i]} at row {i / a.Shape[1]}, column {i % a.Shape[1]}; pixels must be finite.");
        }
        return new Tensor(x, a.Shape);
    }

    private static int[] Labels(object? value, string what, string name)
    {
        var a = NdArray(value, what, name);
        if (a.Shape.Length != 1)
            throw DataFileError.Invalid(name, $"{what} has shape {Tensor.ShapeString(a.Shape)}; expected (n,) labels.");
        if (a.Dtype.Kind != 'i' || a.Dtype.ItemSize is not (4 or 8))
            throw DataFileError.Invalid(name, $"{what} has dtype {a.Dtype.Name}; expected int64 (or int32) labels.");
        long[] raw = a.ToInt64s();
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] < 0 || raw[i] > int.MaxValue)
                throw DataFileError.Invalid(name, $"{what}[{i}] is {raw[i]}; class labels must be between 0 and {int.MaxValue}.");
            labels[i] = (int)raw[i];
        }
        return labels;
    }

    private static NumpyArray NdArray(object? value, string what, string name) =>
        value is NumpyArray { HasState: true } a ? a
            : throw DataFileError.Invalid(name, $"{what} is {Describe.Value(value)}; expected a numpy array.");
}
