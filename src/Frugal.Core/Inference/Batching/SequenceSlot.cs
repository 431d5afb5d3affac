using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// One sequence of the context: the tokens its KV cells hold (positions 0..n-1), the session they belong
/// to, and the request using it now. Touched only by the decode loop's thread.
/// </summary>
internal sealed class SequenceSlot(int id)
{
    /// <summary>The llama.cpp sequence id.</summary>
    public LLamaSeqId Id { get; } = (LLamaSeqId)id;

    /// <summary>What the sequence's KV cells hold, in position order.</summary>
    public List<int> Held { get; } = [];

    /// <summary>
    /// The user whose prompt and reply <see cref="Held"/> are (<see cref="GenerationRequest.Owner"/>): another user's
    /// request reuses none of them but the template's opening, so it cannot learn what they said by what it gets cached.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>The session whose tokens <see cref="Held"/> are; null for an anonymous request.</summary>
    public string? Session { get; set; }

    /// <summary>
    /// How many of the held tokens' cells the store keeps for <see cref="Session"/>, unchanged since: a state
    /// restored from a file is only extended when the session is put away again. 0: none known.
    /// </summary>
    public int StoredTokens { get; set; }

    /// <summary>
    /// The slot's cells were shifted and no decode has applied llama.cpp's K-shift to them yet: their state must
    /// not be saved before one has (it would carry the new positions with keys not yet rotated).
    /// </summary>
    public bool ShiftPending { get; set; }

    /// <summary>
    /// A decode has applied a shift's K-shift, but the cells after <see cref="ShiftPrefix"/> may still sit around the
    /// holes the dropped turns left: new cells would fill those holes, out of position order (see
    /// <see cref="SessionSwitcher.Compact"/>). Cleared once the sequence is laid out afresh or those cells are gone.
    /// </summary>
    public bool ReloadPending { get; set; }

    /// <summary>The cells the last shift left where they were (the prompt's beginning before the dropped turns).</summary>
    public int ShiftPrefix { get; set; }

    /// <summary>The request decoding in this slot; null when idle.</summary>
    public SlotJob? Job { get; set; }

    /// <summary>When the slot last finished a request (stopwatch ticks); 0 when never used.</summary>
    public long LastUsed { get; set; }

    /// <summary>
    /// How many tokens the last request left in the slot. Idle-time preparation of the session's next turn
    /// may add a few after them; slot choice looks only at these, so it never depends on whether that
    /// preparation has run yet.
    /// </summary>
    public int Settled { get; set; }

    /// <summary>The held tokens a request left (not those idle-time preparation added since).</summary>
    public int SettledCount => Math.Min(Held.Count, Settled);
}
