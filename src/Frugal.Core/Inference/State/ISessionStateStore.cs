namespace Frugal.Inference.State;

/// <summary>
/// Keeps the KV state of idle conversations so their next turn need not re-read the history.
/// The engine puts a session's state here when another session takes the context, and takes it
/// back on that session's next turn. Implementations bound what they hold in bytes.
/// </summary>
/// <remarks>
/// Keys come from the caller (<see cref="GenerationRequest.SessionKey"/>); an implementation that
/// writes files must never use a key as a path. A taken state is only used when its tokens are a
/// prefix of the new prompt, so a stale state can cost time but never change a reply.
/// </remarks>
public interface ISessionStateStore
{
    /// <summary>
    /// Stores (or replaces) the state of <paramref name="key"/>: the tokens it holds and the native state bytes.
    /// The store copies what it keeps: <paramref name="state"/> need not outlive the call.
    /// </summary>
    void Put(string key, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state);

    /// <summary>
    /// Extends the kept state of <paramref name="key"/> by the cells of the tokens that follow its first
    /// <paramref name="keptTokens"/> (<paramref name="state"/>: llama.cpp's state of just those cells). True when
    /// the store held exactly <paramref name="keptTokens"/> tokens for the key in an extendable form and now
    /// holds them followed by <paramref name="tokens"/>; false when nothing changed and the caller must
    /// <see cref="Put"/> the whole state instead. The caller guarantees that the kept tokens are the first of its own.
    /// </summary>
    bool Append(string key, int keptTokens, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state);

    /// <summary>Finds the state of <paramref name="key"/>; null when none is kept. The caller disposes the result once used.</summary>
    SavedSessionState? TryGet(string key);

    /// <summary>Forgets the state of <paramref name="key"/> (its history changed).</summary>
    void Invalidate(string key);

    /// <summary>
    /// Forgets the state of <paramref name="key"/> for good (its session was deleted): a later <see cref="Put"/> or
    /// <see cref="Append"/> of the key is dropped, and <see cref="IsDeleted"/> tells an engine that still holds the
    /// session in its context to clear it instead of putting it away.
    /// </summary>
    void Delete(string key);

    /// <summary>True when <paramref name="key"/>'s session was deleted (<see cref="Delete"/>).</summary>
    bool IsDeleted(string key);

    /// <summary>Drops every state held in memory (memory pressure); states on disk stay.</summary>
    void ReleaseMemory();

    /// <summary>Bytes currently held in memory.</summary>
    long MemoryBytes { get; }

    /// <summary>Bytes currently held on disk.</summary>
    long DiskBytes { get; }
}
