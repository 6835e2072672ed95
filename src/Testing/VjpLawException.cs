namespace Mlp.Testing;

/// <summary>Thrown by <see cref="VjpLaws.Verify(LayerSpec)"/> when a layer breaks a law; the message shows the shrunk counterexample.</summary>
public sealed class VjpLawException : Exception
{
    /// <summary>Creates the exception with a full report.</summary>
    public VjpLawException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception with a full report.</summary>
    public VjpLawException(string message) : base(message) { }

    /// <summary>Creates the exception without a report.</summary>
    public VjpLawException() { }
}
