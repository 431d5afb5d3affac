namespace Frugal.Inference.State;

/// <summary>
/// A kept KV state: the tokens it holds, in order, and the native state bytes. Dispose it once the state is
/// restored: a state read from disk holds its bytes in native memory, given back on dispose.
/// </summary>
public sealed record SavedSessionState(IReadOnlyList<int> Tokens, ReadOnlyMemory<byte> State) : IDisposable
{
    /// <summary>What holds <see cref="State"/>'s bytes when they are not a managed array; null when they are.</summary>
    internal IDisposable? Owner { get; init; }

    /// <inheritdoc/>
    public void Dispose() => Owner?.Dispose();
}
