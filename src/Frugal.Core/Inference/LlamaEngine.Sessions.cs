using System.Diagnostics;
using Frugal.Inference.State;

namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    /// <summary>
    /// Makes <paramref name="session"/> the owner of sequence 0. When another session owned it, that
    /// session's KV state is saved to the store (if big enough to be worth it), and the incoming
    /// session's saved state is restored when it agrees with more of <paramref name="prompt"/> than
    /// what the context already holds (a system prompt shared by both sessions, say).
    /// </summary>
    private void SwitchSession(IReadOnlyList<int> prompt, string? session)
    {
        var store = _options.SessionStateStore;
        if (string.Equals(session, _heldSession, StringComparison.Ordinal) || store is null)
        {
            _heldSession = session;
            return;
        }

        if (_heldSession is not null && _held.Count >= _options.MinTokensToSaveState)
        {
            SaveHeld(store, _heldSession);
        }

        _heldSession = session;
        if (session is null || store.TryGet(session) is not { } saved)
        {
            return;
        }

        // From here on the context holds this session, so the kept copy is stale whatever happens:
        // the session's state is saved afresh when another session takes the context.
        store.Invalidate(session);

        // The kept tokens end with the reply as generated, which may tokenize differently once it is
        // part of the history: use the state as far as it agrees with the new prompt. A history that
        // changed (trimmed, edited) agrees only up to the change, and if that is no better than what the
        // context holds, the state is not used at all.
        using (saved)
        {
            var usable = CommonPrefix(saved.Tokens, prompt);
            if (usable > CommonPrefix(_held, prompt))
            {
                Restore(store, session, saved);
            }
        }
    }

    private unsafe void SaveHeld(ISessionStateStore store, string session)
    {
        var started = Stopwatch.GetTimestamp();
        var size = _context.GetStateSize(Sequence);

        // Native and unmapped right after the store has taken its copy or written its file: a state is
        // tens of MiB, which as a managed array would linger on the large-object heap.
        using var state = NativeBuffer.Allocate(checked((long)size));
        var written = _context.GetState(state.Pointer, size, Sequence);
        store.Put(session, _held.ToArray(), state.Memory[..checked((int)written)]);
        EngineLog.StateSaved(_logger, session, _held.Count, (long)written, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private unsafe void Restore(ISessionStateStore store, string session, SavedSessionState saved)
    {
        var started = Stopwatch.GetTimestamp();
        _context.MemoryClear();
        _held.Clear();
        nuint read;
        using (var pin = saved.State.Pin())
        {
            read = _context.SetState((byte*)pin.Pointer, (nuint)saved.State.Length, Sequence);
        }

        if (read == 0)
        {
            // Not a state this context can take (another model, a damaged file): forget it, start empty.
            _context.MemoryClear();
            store.Invalidate(session);
            EngineLog.StateRestoreFailed(_logger, session, new InvalidOperationException("llama.cpp rejected the saved state"));
            return;
        }

        _held.AddRange(saved.Tokens);
        EngineLog.StateRestored(_logger, session, saved.Tokens.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
