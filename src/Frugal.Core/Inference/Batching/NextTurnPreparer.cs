using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// Idle-time work for a session's next turn: after a reply its slot holds the prompt and the reply but not the
/// reply's last token nor the template's turn separator, which every next turn starts with; evaluating them while
/// no request waits leaves the next turn only its new message. Runs on the decode loop's thread.
/// </summary>
internal sealed class NextTurnPreparer(SafeLLamaContextHandle context, AbortSignal abort, int batchSize, SessionSwitcher sessions)
{
    private readonly LLamaBatch _batch = new();

    /// <summary>
    /// Evaluates the tokens of <paramref name="expected"/> past what the slot holding <paramref name="session"/>
    /// holds, when the slot is idle and holds a prefix of it; <paramref name="requestWaits"/> aborts the decode (the
    /// slot then holds what it held before).
    /// </summary>
    public void Prepare(IReadOnlyList<SequenceSlot> slots, string session, IReadOnlyList<int> expected, Func<bool> requestWaits)
    {
        var slot = slots.FirstOrDefault(s => s.Job is null && string.Equals(s.Session, session, StringComparison.Ordinal));
        if (slot is null || slot.ShiftPending || requestWaits())
        {
            return;
        }

        sessions.Compact(slot); // before cells are added after shifted ones (see SequenceSlot.ReloadPending)

        var held = slot.Held.Count;
        var added = expected.Count - held;
        if (added <= 0 || added > batchSize || TokenPrefix.Common(slot.Held, expected) != held)
        {
            return;
        }

        _batch.Clear();
        for (var i = held; i < expected.Count; i++)
        {
            // One row of logits, as every decode asks for (nothing samples from it: a request evaluates at least its last prompt token).
            _batch.Add(expected[i], i, slot.Id, i == expected.Count - 1);
        }

        abort.Condition = requestWaits;
        DecodeResult result;
        try
        {
            result = context.Decode(_batch);
        }
        finally
        {
            abort.Condition = null;
        }

        if (result == DecodeResult.Ok)
        {
            slot.Held.AddRange(expected.Skip(held));
        }
        else
        {
            // Aborted for a request (or failed): the micro-batches already done leave, the slot is as it was.
            sessions.Trim(slot, held);
        }
    }
}
