namespace Frugal.Conversations;

/// <summary>Whether a stored message is whole.</summary>
public enum MessageStatus
{
    /// <summary>A user's message, or a reply that ended normally (stop or length).</summary>
    Complete,

    /// <summary>A reply cut short because its client went away or cancelled; the text so far is kept.</summary>
    Partial,

    /// <summary>A reply that failed; the text produced before the failure is kept.</summary>
    Failed,
}
