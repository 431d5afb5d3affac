using System.Collections.Concurrent;

namespace Frugal.Inference.Batching;

/// <summary>
/// The requests that wait for a slot, in order of arrival, and how one joins a slot: the slot takes the
/// request's session (through the state store) and keeps the part of its cells the prompt agrees with.
/// </summary>
internal sealed class SlotAdmission(IReadOnlyList<SequenceSlot> slots, SessionSwitcher sessions)
{
    private readonly ConcurrentQueue<SlotJob> _arrivals = new();
    private readonly List<SlotJob> _waiting = []; // loop thread only: arrived, no slot yet, in order

    /// <summary>True when no request waits (arrived or not yet seen by the loop).</summary>
    public bool IsEmpty => _waiting.Count == 0 && _arrivals.IsEmpty;

    /// <summary>Queues a request (any thread).</summary>
    public void Enqueue(SlotJob job) => _arrivals.Enqueue(job);

    /// <summary>
    /// Moves waiting requests into free slots in arrival order and adds them to <paramref name="running"/>;
    /// requests whose callers left (or all, when <paramref name="stopping"/>) go to <paramref name="cancel"/>.
    /// </summary>
    public void Admit(List<SlotJob> running, bool stopping, Action<SlotJob> cancel)
    {
        while (_arrivals.TryDequeue(out var arrived))
        {
            _waiting.Add(arrived);
        }

        for (var i = 0; i < _waiting.Count; i++)
        {
            var job = _waiting[i];
            if (job.LeavesBeforeStep || stopping)
            {
                _waiting.RemoveAt(i--);
                cancel(job);
                continue;
            }

            if (SlotChooser.Choose(slots, job.Prompt, job.Request.SessionKey, job.Request.Owner) is not { } slot)
            {
                break;
            }

            _waiting.RemoveAt(i--);
            Join(job, slot);
            running.Add(job);
        }
    }

    /// <summary>Hands every waiting request to <paramref name="cancel"/> (the loop is ending).</summary>
    public void CancelAll(Action<SlotJob> cancel)
    {
        while (_arrivals.TryDequeue(out var late))
        {
            _waiting.Add(late);
        }

        foreach (var job in _waiting)
        {
            cancel(job);
        }

        _waiting.Clear();
    }

    // Tokens of another user's cells a prompt may reuse: the first, which every prompt of the template shares.
    private const int PublicOpening = 1;

    private void Join(SlotJob job, SequenceSlot slot)
    {
        var owner = job.Request.Owner;
        if (sessions.Take(slot, job.Prompt, job.Request.SessionKey))
        {
            // The session's own cells (held or restored from its state): its owner's.
            slot.Owner = owner;
            job.Tally.ShiftedTokens += sessions.Shift(slot, job.Prompt);
        }

        // At least the last prompt token is evaluated again: its logits give the first reply token.
        var common = Math.Min(TokenPrefix.Common(slot.Held, job.Prompt), job.Prompt.Count - 1);
        if (!string.Equals(slot.Owner, owner, StringComparison.Ordinal))
        {
            // Another user's cells: only the template's opening (the first token, BOS) is common to every prompt;
            // more would tell this user, by its cached tokens and its speed, how much of theirs it guessed.
            common = Math.Min(common, PublicOpening);
        }

        slot.Owner = owner;
        sessions.Trim(slot, common);
        slot.Job = job;
        job.Slot = slot;
        job.Evaluated = common;
        job.Tally.CachedTokens = common;
        job.Placed();
    }
}
