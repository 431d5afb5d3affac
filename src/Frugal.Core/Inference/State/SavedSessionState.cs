namespace Frugal.Inference.State;

/// <summary>
/// A kept KV state: the tokens it holds, in order, and the native state bytes in one or more chunks (a
/// session's later turns are kept as further chunks, each the cells of the tokens after the previous
/// chunk's). Dispose it once the state is restored: a state read from disk holds its bytes in native
/// memory, given back on dispose.
/// </summary>
public sealed record SavedSessionState : IDisposable
{
    /// <summary>A state of one chunk.</summary>
    public SavedSessionState(IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state)
        : this(tokens, [new SessionStateChunk(tokens?.Count ?? 0, state)])
    {
    }

    /// <summary>A state of <paramref name="chunks"/>, whose token counts add up to the count of <paramref name="tokens"/>.</summary>
    public SavedSessionState(IReadOnlyList<int> tokens, IReadOnlyList<SessionStateChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0 || chunks.Sum(c => (long)c.TokenCount) != tokens.Count)
        {
            throw new ArgumentException("the chunks must hold the tokens, in order", nameof(chunks));
        }

        Tokens = tokens;
        Chunks = chunks;
    }

    /// <summary>The tokens the state holds, at positions 0..n-1.</summary>
    public IReadOnlyList<int> Tokens { get; }

    /// <summary>The state bytes, in order; the first chunk is a state of its own, each later one adds cells.</summary>
    public IReadOnlyList<SessionStateChunk> Chunks { get; }

    /// <summary>
    /// True when the store keeps this state in a form that <see cref="ISessionStateStore.Append"/> can extend
    /// (a file), so a restored session need only add its new cells when it is put away again.
    /// </summary>
    public bool Extendable { get; init; }

    /// <summary>What holds the chunks' bytes when they are not managed arrays; null when they are.</summary>
    internal IDisposable? Owner { get; init; }

    /// <inheritdoc/>
    public void Dispose() => Owner?.Dispose();
}

/// <summary>Part of a kept state: the KV cells of <paramref name="TokenCount"/> consecutive tokens, as llama.cpp wrote them for one sequence.</summary>
public sealed record SessionStateChunk(int TokenCount, ReadOnlyMemory<byte> State);
