namespace Mlp.Cli;

/// <summary>An <see cref="IProgress{T}"/> that calls its handler synchronously on the reporting thread, in order (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
