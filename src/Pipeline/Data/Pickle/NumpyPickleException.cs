namespace Mlp.Data.Pickle;

/// <summary>
/// Thrown by the numpy constructors while Razorvine unpickles; <see cref="MnistPickleReader"/> turns it into an
/// <see cref="InvalidDataException"/> naming the file (Razorvine wraps exceptions from <c>__setstate__</c>).
/// </summary>
internal sealed class NumpyPickleException(string message) : Exception(message);
