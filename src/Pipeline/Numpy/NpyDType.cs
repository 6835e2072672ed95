namespace Mlp.Numpy;

/// <summary>
/// The numpy element types Mlp reads and writes, all little-endian (numpy's <c>descr</c> in brackets).
/// </summary>
public enum NpyDType
{
    /// <summary>32-bit float, <c>&lt;f4</c> (numpy <c>float32</c>, PyTorch <c>torch.float32</c>).</summary>
    Float32,
    /// <summary>64-bit float, <c>&lt;f8</c> (numpy <c>float64</c>, PyTorch <c>torch.float64</c>).</summary>
    Float64,
    /// <summary>64-bit signed integer, <c>&lt;i8</c> (numpy <c>int64</c>, PyTorch <c>torch.int64</c>; the lesson's labels).</summary>
    Int64,
    /// <summary>32-bit signed integer, <c>&lt;i4</c> (numpy <c>int32</c>).</summary>
    Int32,
    /// <summary>Unsigned byte, <c>|u1</c> (numpy <c>uint8</c>; raw pixels).</summary>
    UInt8,
}

/// <summary>Facts about <see cref="NpyDType"/>: the header string and the element size.</summary>
public static class NpyDTypes
{
    /// <summary>The bytes per element: 4, 8, 8, 4 or 1.</summary>
    public static int ItemSize(this NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 or NpyDType.Int32 => 4,
        NpyDType.Float64 or NpyDType.Int64 => 8,
        NpyDType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown numpy dtype."),
    };

    /// <summary>numpy's <c>descr</c> for the type: <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i8</c>, <c>&lt;i4</c> or <c>|u1</c>.</summary>
    public static string Descr(this NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int64 => "<i8",
        NpyDType.Int32 => "<i4",
        NpyDType.UInt8 => "|u1",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown numpy dtype."),
    };

    /// <summary>numpy's name of the type: <c>float32</c>, <c>float64</c>, <c>int64</c>, <c>int32</c> or <c>uint8</c>.</summary>
    public static string Name(this NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => "float32",
        NpyDType.Float64 => "float64",
        NpyDType.Int64 => "int64",
        NpyDType.Int32 => "int32",
        NpyDType.UInt8 => "uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown numpy dtype."),
    };

    /// <summary>The supported types, for messages.</summary>
    internal const string Supported = "supported are <f4, <f8, <i8, <i4 and |u1";

    /// <summary>
    /// The type a numpy <c>descr</c> names (<c>&lt;f4</c>, <c>|u1</c> …), or null when Mlp does not read it. The one
    /// parser of numpy type strings: the .npy reader and the pickle reader both use it.
    /// </summary>
    internal static NpyDType? FromDescr(string descr) => descr switch
    {
        "<f4" => NpyDType.Float32,
        "<f8" => NpyDType.Float64,
        "<i8" => NpyDType.Int64,
        "<i4" => NpyDType.Int32,
        "|u1" or "<u1" or ">u1" or "=u1" => NpyDType.UInt8,
        _ => null,
    };
}
