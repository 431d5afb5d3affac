namespace Frugal.Conversations;

/// <summary>How every store writes a <see cref="MessageStatus"/>: <c>complete</c>, <c>partial</c>, <c>failed</c>.</summary>
public static class MessageStatusNames
{
    /// <summary>The stored name of <paramref name="status"/>.</summary>
    public static string ToName(MessageStatus status) => status switch
    {
        MessageStatus.Partial => "partial",
        MessageStatus.Failed => "failed",
        _ => "complete",
    };

    /// <summary>The status a stored name stands for (an unknown name reads as complete).</summary>
    public static MessageStatus Parse(string name) => name switch
    {
        "partial" => MessageStatus.Partial,
        "failed" => MessageStatus.Failed,
        _ => MessageStatus.Complete,
    };
}
