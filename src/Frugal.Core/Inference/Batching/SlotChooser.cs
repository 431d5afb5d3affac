namespace Frugal.Inference.Batching;

/// <summary>Picks the idle slot a new request should take.</summary>
internal static class SlotChooser
{
    /// <summary>
    /// A slot is taken for its prefix only when the prompt agrees with at least this share of what it
    /// holds: otherwise another session's long history would be pushed out (and saved, and later
    /// restored) for the sake of a short shared system prompt (llama.cpp's server uses 0.5 too).
    /// </summary>
    public const double MinPrefixShare = 0.5;

    /// <summary>
    /// The idle slot already holding <paramref name="session"/>; else the idle slot whose tokens share
    /// the longest prefix with <paramref name="prompt"/> (when they are <paramref name="owner"/>'s and that prefix is at
    /// least half of what the slot's last request left in it);
    /// else the least recently used idle slot. Null when every slot is busy.
    /// </summary>
    public static SequenceSlot? Choose(IReadOnlyList<SequenceSlot> slots, IReadOnlyList<int> prompt, string? session, string? owner = null)
    {
        SequenceSlot? byPrefix = null, leastRecent = null;
        var bestPrefix = 0;
        foreach (var slot in slots)
        {
            if (slot.Job is not null)
            {
                continue;
            }

            if (session is not null && string.Equals(slot.Session, session, StringComparison.Ordinal))
            {
                return slot;
            }

            // Another user's cells are never reused for their words (see SequenceSlot.Owner): no prefix to choose by.
            // Measured against what the last request left: idle-time preparation of the next turn must not
            // decide whose history is pushed out (it runs or not depending on when the next request comes).
            var prefix = string.Equals(slot.Owner, owner, StringComparison.Ordinal) ? TokenPrefix.Common(slot.Held, prompt) : 0;
            if (prefix > bestPrefix && prefix >= slot.SettledCount * MinPrefixShare)
            {
                bestPrefix = prefix;
                byPrefix = slot;
            }

            if (leastRecent is null || slot.LastUsed < leastRecent.LastUsed)
            {
                leastRecent = slot;
            }
        }

        return byPrefix ?? leastRecent;
    }
}
