namespace Mlp.Kernels;

/// <summary>
/// A compile-time integer for specializing the GEMM micro-kernels: the JIT compiles one body per struct
/// argument and folds <see cref="Value"/> into a constant, so <c>if (TVecs.Value &gt; 3)</c> costs nothing.
/// </summary>
internal interface IGemmConst
{
    /// <summary>The constant.</summary>
    static abstract int Value { get; }
}

#pragma warning disable CS1591 // the names say it all
internal readonly struct G0 : IGemmConst { public static int Value => 0; }
internal readonly struct G1 : IGemmConst { public static int Value => 1; }
internal readonly struct G2 : IGemmConst { public static int Value => 2; }
internal readonly struct G3 : IGemmConst { public static int Value => 3; }
internal readonly struct G4 : IGemmConst { public static int Value => 4; }
internal readonly struct G5 : IGemmConst { public static int Value => 5; }
internal readonly struct G6 : IGemmConst { public static int Value => 6; }
internal readonly struct G7 : IGemmConst { public static int Value => 7; }
internal readonly struct G8 : IGemmConst { public static int Value => 8; }
#pragma warning restore CS1591
