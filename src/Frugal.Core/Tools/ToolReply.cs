namespace Frugal.Tools;

/// <summary>What a reply under tools said: text for the user, or tool calls (then <see cref="Text"/> is null).</summary>
public sealed record ToolReply(string? Text, IReadOnlyList<ToolCall> Calls)
{
    /// <summary>True when the model called tools.</summary>
    public bool HasCalls => Calls.Count > 0;
}
