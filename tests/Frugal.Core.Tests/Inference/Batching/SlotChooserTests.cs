using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference.Batching;

public sealed class SlotChooserTests
{
    // Two idle slots holding other sessions; the prompt shares its first 30 tokens (a system prompt) with both.
    private static readonly int[] System = [.. Enumerable.Range(1, 30)];

    [Fact]
    public void Choose_PrefixIsHalfOfWhatTheLastRequestLeft_TakesThatSlotWhateverIdleWorkAddedSince()
    {
        // "a" (least recently used) holds more than twice the shared prefix, "b" exactly twice.
        var (a, b) = (Slot(0, "a", 62, lastUsed: 1), Slot(1, "b", 60, lastUsed: 2));

        // Idle-time preparation appended the next turn's separator to "b" (now 66 > 2 × 30): b's share is unchanged.
        b.Held.AddRange(Enumerable.Range(900, 6));

        Assert.Same(b, SlotChooser.Choose([a, b], Prompt(), "c"));
    }

    [Fact]
    public void Choose_PrefixBelowHalfOfEverySlot_TakesTheLeastRecentlyUsed()
    {
        var (a, b) = (Slot(0, "a", 70, lastUsed: 1), Slot(1, "b", 64, lastUsed: 2));

        Assert.Same(a, SlotChooser.Choose([a, b], Prompt(), "c"));
    }

    [Fact]
    public void Choose_SlotHoldsTheSession_TakesItWhateverOthersShare()
    {
        var (a, b) = (Slot(0, "a", 40, lastUsed: 1), Slot(1, "b", 70, lastUsed: 2));

        Assert.Same(b, SlotChooser.Choose([a, b], Prompt(), "b"));
    }

    private static int[] Prompt() => [.. System, .. Enumerable.Range(500, 12)];

    /// <summary>A slot holding the system prompt and then <paramref name="count"/> − 30 tokens of its own, settled by a request.</summary>
    private static SequenceSlot Slot(int id, string session, int count, long lastUsed)
    {
        var slot = new SequenceSlot(id) { Session = session, LastUsed = lastUsed };
        slot.Held.AddRange(System);
        slot.Held.AddRange(Enumerable.Range(100 * (id + 1), count - System.Length));
        slot.Settled = slot.Held.Count;
        return slot;
    }
}
