using System.Diagnostics;
using Frugal.Inference.State;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference.Batching;

/// <summary>
/// Moves sessions in and out of slots: the outgoing session's KV state goes to the store, the incoming
/// session's saved state comes back when it agrees with more of the prompt than the slot holds. The
/// per-slot counterpart of the single-sequence engine's session switch.
/// </summary>
internal sealed class SlotSessions(SafeLLamaContextHandle context, EngineOptions options, ILogger logger)
{
    /// <summary>Makes <paramref name="slot"/> hold <paramref name="session"/>'s tokens as far as they are known.</summary>
    public void Take(SequenceSlot slot, IReadOnlyList<int> prompt, string? session)
    {
        var store = options.SessionStateStore;
        if (string.Equals(session, slot.Session, StringComparison.Ordinal) || store is null)
        {
            slot.Session = session;
            return;
        }

        if (slot.Session is not null && store.IsDeleted(slot.Session))
        {
            // Deleted while held: its cells leave the slot, never the process.
            context.MemorySequenceRemove(slot.Id, 0, -1);
            slot.Held.Clear();
        }
        else if (slot.Session is not null && slot.Held.Count >= options.MinTokensToSaveState)
        {
            Save(store, slot);
        }

        slot.Session = session;
        if (session is null || store.TryGet(session) is not { } saved)
        {
            return;
        }

        // From here on the slot holds this session, so the kept copy is stale whatever happens.
        store.Invalidate(session);
        if (TokenPrefix.Common(saved.Tokens, prompt) > TokenPrefix.Common(slot.Held, prompt))
        {
            Restore(store, slot, session, saved);
        }
    }

    private unsafe void Save(ISessionStateStore store, SequenceSlot slot)
    {
        var started = Stopwatch.GetTimestamp();
        var size = context.GetStateSize(slot.Id);
        var state = GC.AllocateUninitializedArray<byte>(checked((int)size));
        nuint written;
        fixed (byte* destination = state)
        {
            written = context.GetState(destination, size, slot.Id);
        }

        store.Put(slot.Session!, slot.Held.ToArray(), state.AsMemory(0, checked((int)written)));
        EngineLog.StateSaved(logger, slot.Session!, slot.Held.Count, (long)written, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private unsafe void Restore(ISessionStateStore store, SequenceSlot slot, string session, SavedSessionState saved)
    {
        var started = Stopwatch.GetTimestamp();
        context.MemorySequenceRemove(slot.Id, 0, -1);
        slot.Held.Clear();
        // A slot's sequence has a cache stream of its own, onto which no other sequence's cells can be
        // copied: of a state kept in chunks (written by a single-sequence engine) only the first is used.
        var first = saved.Chunks[0];
        nuint read;
        using (var pin = first.State.Pin())
        {
            read = context.SetState((byte*)pin.Pointer, (nuint)first.State.Length, slot.Id);
        }

        if (read == 0)
        {
            // Not a state this context can take (another model, a damaged file): forget it, start empty.
            context.MemorySequenceRemove(slot.Id, 0, -1);
            store.Invalidate(session);
            EngineLog.StateRestoreFailed(logger, session, new InvalidOperationException("llama.cpp rejected the saved state"));
            return;
        }

        slot.Held.AddRange(saved.Tokens.Take(first.TokenCount));
        EngineLog.StateRestored(logger, session, first.TokenCount, 1, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
