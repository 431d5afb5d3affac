using System.Diagnostics;
using Frugal.Inference.Batching;
using Frugal.Inference.State;

namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    // How many of the held tokens' cells the store keeps for the held session, unchanged since: a state
    // restored from a file is only extended when the session is put away again. 0: none known.
    private int _heldInStore;

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

        if (_heldSession is not null && store.IsDeleted(_heldSession))
        {
            // Deleted while held: its cells leave the context, never the process.
            _context.MemoryClear();
            _held.Clear();
        }
        else if (_heldSession is not null && _held.Count >= _options.MinTokensToSaveState)
        {
            SaveHeld(store, _heldSession);
        }

        _heldSession = session;
        _heldInStore = 0;
        var started = Stopwatch.GetTimestamp();
        if (session is null || store.TryGet(session) is not { } saved)
        {
            return;
        }

        // The kept tokens end with the reply as generated, which may tokenize differently once it is
        // part of the history: use the state as far as it agrees with the new prompt. A history that
        // changed (trimmed, edited) agrees only up to the change, and if that is no better than what the
        // context holds, the state is not used at all.
        using (saved)
        {
            var usable = TokenPrefix.Common(saved.Tokens, prompt);
            if (usable > TokenPrefix.Common(_held, prompt) && Restore(saved, session, Stopwatch.GetElapsedTime(started)) && saved.Extendable)
            {
                // The file stays: when this session is put away, only the cells it added are written.
                _heldInStore = saved.Tokens.Count;
                return;
            }
        }

        // From here on the context holds this session, so the kept copy is stale whatever happens:
        // the session's state is saved afresh when another session takes the context.
        store.Invalidate(session);
    }

    /// <summary>
    /// Called before the held tokens are cut to <paramref name="count"/>: cells the store keeps for the held
    /// session are about to go, so its copy no longer prefixes what the context will hold.
    /// </summary>
    private void ForgetStoredBeyond(int count)
    {
        if (_heldInStore > count && _heldSession is not null)
        {
            _heldInStore = 0;
            _options.SessionStateStore?.Invalidate(_heldSession);
        }
    }

    /// <summary>
    /// Puts the held session's state in the store: only the cells added since its file was written when
    /// the store can extend it, else the whole state.
    /// </summary>
    private void SaveHeld(ISessionStateStore store, string session)
    {
        var started = Stopwatch.GetTimestamp();
        var kept = _heldInStore;
        if (kept > 0 && kept == _held.Count && store.Append(session, kept, [], ReadOnlyMemory<byte>.Empty))
        {
            // Nothing added since the state was restored: the file already is the state.
            return;
        }

        if (kept > 0 && kept < _held.Count)
        {
            // The new cells, copied (as metadata: a unified cache shares the cells) to the scratch sequence and saved from there.
            _context.MemorySequenceCopy(Sequence, Scratch, kept, -1);
            var appended = false;
            long bytes = 0;
            try
            {
                appended = WithState(Scratch, state =>
                {
                    bytes = state.Length;
                    return store.Append(session, kept, _held.GetRange(kept, _held.Count - kept), state);
                });
            }
            finally
            {
                _context.MemorySequenceRemove(Scratch, -1, -1);
            }

            if (appended)
            {
                EngineLog.StateAppended(_logger, session, _held.Count - kept, _held.Count, bytes, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
        }

        var size = WithState(Sequence, state =>
        {
            store.Put(session, _held.ToArray(), state);
            return state.Length;
        });
        EngineLog.StateSaved(_logger, session, _held.Count, size, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Hands <paramref name="sequence"/>'s llama.cpp state to <paramref name="use"/> in a native buffer that is unmapped right after.</summary>
    private unsafe T WithState<T>(LLama.Native.LLamaSeqId sequence, Func<ReadOnlyMemory<byte>, T> use)
    {
        var size = _context.GetStateSize(sequence);

        // Native and unmapped right after the store has taken its copy or written its file: a state is
        // tens of MiB, which as a managed array would linger on the large-object heap.
        using var state = NativeBuffer.Allocate(checked((long)size));
        var written = _context.GetState(state.Pointer, size, sequence);
        return use(state.Memory[..checked((int)written)]);
    }

    /// <summary>
    /// Loads <paramref name="saved"/> into sequence 0: its first chunk as a state of its own, each later chunk
    /// into the scratch sequence and from there onto sequence 0. False (context empty) when llama.cpp refuses it.
    /// </summary>
    private unsafe bool Restore(SavedSessionState saved, string session, TimeSpan readTime)
    {
        var started = Stopwatch.GetTimestamp();
        _context.MemoryClear();
        _held.Clear();
        var loaded = true;
        for (var i = 0; i < saved.Chunks.Count && loaded; i++)
        {
            var target = i == 0 ? Sequence : Scratch;
            using (var pin = saved.Chunks[i].State.Pin())
            {
                loaded = _context.SetState((byte*)pin.Pointer, (nuint)saved.Chunks[i].State.Length, target) != 0;
            }

            if (loaded && i > 0)
            {
                _context.MemorySequenceCopy(Scratch, Sequence, -1, -1);
                _context.MemorySequenceRemove(Scratch, -1, -1);
            }
        }

        if (!loaded || _context.MemorySequenceMaxPosition(Sequence) != saved.Tokens.Count - 1)
        {
            // Not a state this context can take (another model, a damaged file): start empty; the caller forgets it.
            _context.MemoryClear();
            EngineLog.StateRestoreFailed(_logger, session, new InvalidOperationException("llama.cpp rejected the saved state"));
            return false;
        }

        _held.AddRange(saved.Tokens);
        EngineLog.StateRestored(_logger, session, saved.Tokens.Count, saved.Chunks.Count, readTime.TotalMilliseconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }
}
