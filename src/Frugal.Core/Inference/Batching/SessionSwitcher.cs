using System.Diagnostics;
using Frugal.Inference.State;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference.Batching;

/// <summary>
/// Owns what each slot's KV cells hold: moves sessions in and out of slots through the state store (the
/// outgoing session's state saved, the incoming one's restored when it agrees with more of the prompt than
/// the slot holds) and trims a slot's cells. A restored state's file is kept and later only extended by the cells
/// added since: with a scratch sequence (one slot, unified cache) they are copied there and saved alone; without one
/// (several slots, a cache stream per sequence) the slot's state is cut after the kept cells
/// (<see cref="SequenceStateCut"/>), and a file's chunks are joined into one state to restore. A file written by a
/// context of another stream count (a one-slot server's, restored after a restart with several slots, or the other
/// way round) is rewritten into this context's <paramref name="streams"/> as it is restored; a state that cannot be
/// rewritten or loaded is dropped and the prompt evaluated in full.
/// </summary>
internal sealed class SessionSwitcher(SafeLLamaContextHandle context, LLamaSeqId? scratch, int streams, EngineOptions options, ILogger logger)
{
    private readonly ContextShift _shift = new(context, options, logger);

    /// <summary>Shifted sequences laid out afresh so far (tests check when that happens).</summary>
    public int Compactions { get; private set; }

    /// <summary>
    /// Makes <paramref name="slot"/> hold <paramref name="session"/>'s tokens as far as they are known. True when
    /// the slot's tokens are that session's own (it held them, or they were restored); false when they are
    /// another session's, left for whatever prefix they share with the prompt.
    /// </summary>
    public bool Take(SequenceSlot slot, IReadOnlyList<int> prompt, string? session)
    {
        var store = options.SessionStateStore;
        var own = session is not null && string.Equals(session, slot.Session, StringComparison.Ordinal);

        // A shifted sequence not yet laid out afresh (no idle moment came since its reply) is, before a request adds
        // cells after the shifted ones; a request that keeps only the cells before the shift drops the rest instead.
        if (slot.ReloadPending && (own || TokenPrefix.Common(slot.Held, prompt) > slot.ShiftPrefix))
        {
            Compact(slot);
        }

        if (own || store is null)
        {
            slot.Session = session;
            return own;
        }

        if (slot.Session is not null && store.IsDeleted(slot.Session))
        {
            // Deleted while held: its cells leave the slot, never the process.
            context.MemorySequenceRemove(slot.Id, -1, -1);
            slot.Held.Clear();
            slot.ReloadPending = false;
        }
        else if (slot.Session is not null && slot.Held.Count >= options.MinTokensToSaveState)
        {
            Save(store, slot);
        }

        slot.Session = session;
        slot.StoredTokens = 0;
        var started = Stopwatch.GetTimestamp();
        if (session is null || store.TryGet(session) is not { } saved)
        {
            return false;
        }

        // The kept tokens end with the reply as generated, which may tokenize differently once it is
        // part of the history: use the state as far as it agrees with the new prompt. A history that
        // changed (trimmed, edited) agrees only up to the change, and if that is no better than what the
        // slot holds, the state is not used at all.
        // A state whose window has since dropped turns still serves the kept ones (see ContextShift).
        var restored = false;
        using (saved)
        {
            var usable = _shift.Reusable(saved.Tokens, prompt);
            restored = usable > TokenPrefix.Common(slot.Held, prompt) && Restore(saved, slot, session, Stopwatch.GetElapsedTime(started));
            if (restored && saved.Extendable && slot.Held.Count == saved.Tokens.Count)
            {
                // The file stays: when this session is put away, only the cells it added are written.
                slot.StoredTokens = saved.Tokens.Count;
                return true;
            }
        }

        // From here on the slot holds this session, so the kept copy is stale whatever happens: the
        // session's state is saved afresh when another session takes the slot.
        store.Invalidate(session);
        return restored;
    }

    /// <summary>
    /// Shifts the slot's cells (its session's own) to agree with <paramref name="prompt"/> when the session's
    /// window dropped older turns; returns the cells removed (0: none).
    /// </summary>
    public int Shift(SequenceSlot slot, IReadOnlyList<int> prompt)
    {
        var prefix = TokenPrefix.Common(slot.Held, prompt);
        var dropped = _shift.Apply(slot, prompt);
        if (dropped > 0)
        {
            slot.ShiftPending = true;
            slot.ShiftPrefix = prefix;
        }

        if (dropped > 0 && slot.StoredTokens > prefix && slot.Session is not null)
        {
            // The store's copy no longer prefixes what the slot holds: the next save writes the whole state.
            // It is written after the next decode, which applies llama.cpp's pending K-shift to the moved
            // cells (a state saved before would carry their new positions with unrotated keys).
            slot.StoredTokens = 0;
            options.SessionStateStore?.Invalidate(slot.Session);
        }

        return dropped;
    }

    /// <summary>
    /// After a request that shifted the slot: once a decode has applied the K-shift (<paramref name="decoded"/>), the
    /// slot waits to be laid out afresh (<see cref="Compact"/>, when the loop is idle or before the next request adds
    /// cells after the shifted ones). Without a decode the pending shift cannot be saved or copied: the cells are dropped.
    /// </summary>
    public void Settle(SequenceSlot slot, bool decoded)
    {
        if (!slot.ShiftPending)
        {
            return;
        }

        slot.ShiftPending = false;
        if (decoded)
        {
            slot.ReloadPending = true;
        }
        else
        {
            Forget(slot);
        }
    }

    /// <summary>
    /// Reads a shifted slot's sequence out and loads it back, which lays its cells out as a restore from the store would
    /// (new tokens otherwise fill the holes the dropped turns left, and attention then adds the same values in another
    /// order: a session that stayed in memory would drift from one restored after a restart). A reload llama.cpp
    /// refuses empties the slot. Nothing to do unless <see cref="SequenceSlot.ReloadPending"/>.
    /// </summary>
    public void Compact(SequenceSlot slot)
    {
        if (!slot.ReloadPending)
        {
            return;
        }

        slot.ReloadPending = false;
        var started = Stopwatch.GetTimestamp();
        if (!Reload(slot))
        {
            Forget(slot);
            return;
        }

        Compactions++;
        EngineLog.ShiftCompacted(logger, slot.Session ?? "(none)", slot.Held.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Keeps the first <paramref name="count"/> tokens of the slot's sequence and drops the rest from the KV cache.</summary>
    public void Trim(SequenceSlot slot, int count)
    {
        if (slot.StoredTokens > count && slot.Session is not null)
        {
            // Cells the store keeps are about to go, so its copy no longer prefixes what the slot will hold.
            slot.StoredTokens = 0;
            options.SessionStateStore?.Invalidate(slot.Session);
        }

        context.MemorySequenceRemove(slot.Id, count, -1);
        if (count <= slot.ShiftPrefix)
        {
            // The cells a shift left out of order are gone with the rest.
            slot.ReloadPending = false;
        }

        if (slot.Held.Count > count)
        {
            slot.Held.RemoveRange(count, slot.Held.Count - count);
        }
    }

    /// <summary>Empties the slot and forgets whose it was (after a failed step, or for tests).</summary>
    public void Forget(SequenceSlot slot)
    {
        Trim(slot, 0);
        slot.Session = null;
        slot.StoredTokens = 0;
    }

    /// <summary>
    /// Puts the slot's session state in the store: only the cells added since its file was written when the
    /// store can extend it, else the whole state.
    /// </summary>
    private void Save(ISessionStateStore store, SequenceSlot slot)
    {
        var started = Stopwatch.GetTimestamp();
        var session = slot.Session!;
        var kept = slot.StoredTokens;
        if (kept > 0 && kept == slot.Held.Count && store.Append(session, kept, [], ReadOnlyMemory<byte>.Empty))
        {
            // Nothing added since the state was restored: the file already is the state.
            return;
        }

        if (kept > 0 && kept < slot.Held.Count && AppendAdded(store, slot, kept) is { } bytes)
        {
            EngineLog.StateAppended(logger, session, slot.Held.Count - kept, slot.Held.Count, bytes, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return;
        }

        var size = WithState(slot.Id, state =>
        {
            store.Put(session, slot.Held.ToArray(), state);
            return state.Length;
        });
        EngineLog.StateSaved(logger, session, slot.Held.Count, size, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Appends the cells the slot added after its first <paramref name="kept"/> to the session's file; the bytes of
    /// state appended, or null when the store could not extend the file (or the state could not be cut).
    /// </summary>
    private long? AppendAdded(ISessionStateStore store, SequenceSlot slot, int kept)
    {
        var added = slot.Held.GetRange(kept, slot.Held.Count - kept);
        if (scratch is not { } apart)
        {
            // A stream per sequence: the slot's state, cut after the kept cells.
            return WithState(slot.Id, state =>
            {
                using var cut = SequenceStateCut.After(state, kept, added.Count);
                return cut is not null && store.Append(slot.Session!, kept, added, cut.Memory) ? cut.Length : (long?)null;
            });
        }

        // The new cells, copied (as metadata: a unified cache shares the cells) to the scratch sequence and saved from there.
        context.MemorySequenceCopy(slot.Id, apart, kept, -1);
        try
        {
            return WithState(apart, state => store.Append(slot.Session!, kept, added, state) ? state.Length : (long?)null);
        }
        finally
        {
            context.MemorySequenceRemove(apart, -1, -1);
        }
    }

    // The slot's state read out and loaded back into its sequence (compact, in position order).
    private unsafe bool Reload(SequenceSlot slot)
    {
        var size = context.GetStateSize(slot.Id);
        using var state = NativeBuffer.Allocate(checked((long)size));
        var written = context.GetState(state.Pointer, size, slot.Id);
        context.MemorySequenceRemove(slot.Id, -1, -1);
        return context.SetState(state.Pointer, written, slot.Id) != 0
            && context.MemorySequenceMaxPosition(slot.Id).Value == slot.Held.Count - 1;
    }

    /// <summary>Hands <paramref name="sequence"/>'s llama.cpp state to <paramref name="use"/> in a native buffer that is unmapped right after.</summary>
    private unsafe T WithState<T>(LLamaSeqId sequence, Func<ReadOnlyMemory<byte>, T> use)
    {
        var size = context.GetStateSize(sequence);

        // Native and unmapped right after the store has taken its copy or written its file: a state is
        // tens of MiB, which as a managed array would linger on the large-object heap.
        using var state = NativeBuffer.Allocate(checked((long)size));
        var written = context.GetState(state.Pointer, size, sequence);
        return use(state.Memory[..checked((int)written)]);
    }

    /// <summary>
    /// Loads <paramref name="saved"/> into the slot: in this context's stream count, with a scratch sequence chunk by
    /// chunk (the first as a state of its own, each later one into the scratch sequence and from there onto the
    /// slot's); otherwise (no scratch sequence, or chunks read from a context of another stream count) the chunks
    /// joined into one state, or the first alone when they cannot be joined. False (slot empty) when llama.cpp
    /// refuses it.
    /// </summary>
    private bool Restore(SavedSessionState saved, SequenceSlot slot, string session, TimeSpan readTime)
    {
        var ownStreams = saved.Chunks.All(c => SequenceStateLayout.Parse(c.State.Span)?.Streams is not { } count || count == streams);
        if (ownStreams && (scratch is not null || saved.Chunks.Count == 1))
        {
            return Restore(saved.Chunks, saved.Tokens, slot, session, readTime);
        }

        using var joined = SequenceStateCut.Join([.. saved.Chunks.Select(c => c.State)], streams);
        return joined is not null
            ? Restore([new SessionStateChunk(saved.Tokens.Count, joined.Memory)], saved.Tokens, slot, session, readTime)
            : Restore([saved.Chunks[0]], saved.Tokens, slot, session, readTime);
    }

    private unsafe bool Restore(IReadOnlyList<SessionStateChunk> stateChunks, IReadOnlyList<int> savedTokens, SequenceSlot slot, string session, TimeSpan readTime)
    {
        var started = Stopwatch.GetTimestamp();
        context.MemorySequenceRemove(slot.Id, -1, -1);
        slot.Held.Clear();
        slot.ReloadPending = false;

        var chunks = stateChunks.Count;
        var tokens = stateChunks.Sum(c => c.TokenCount);
        var loaded = true;
        for (var i = 0; i < chunks && loaded; i++)
        {
            var target = i == 0 ? slot.Id : scratch!.Value;
            using (var pin = stateChunks[i].State.Pin())
            {
                loaded = context.SetState((byte*)pin.Pointer, (nuint)stateChunks[i].State.Length, target) != 0;
            }

            if (loaded && i > 0)
            {
                context.MemorySequenceCopy(target, slot.Id, -1, -1);
                context.MemorySequenceRemove(target, -1, -1);
            }
        }

        if (!loaded || context.MemorySequenceMaxPosition(slot.Id) != tokens - 1)
        {
            // Not a state this context can take (another model, a damaged file): start empty; the caller forgets it.
            context.MemorySequenceRemove(slot.Id, -1, -1);
            if (scratch is { } apart)
            {
                context.MemorySequenceRemove(apart, -1, -1);
            }

            EngineLog.StateRestoreFailed(logger, session, new InvalidOperationException("llama.cpp rejected the saved state"));
            return false;
        }

        slot.Held.AddRange(savedTokens.Take(tokens));
        EngineLog.StateRestored(logger, session, tokens, chunks, readTime.TotalMilliseconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }
}
