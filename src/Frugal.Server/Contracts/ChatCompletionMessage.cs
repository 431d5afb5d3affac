using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>One message of a chat completion request (<c>{"role", "content"}</c>).</summary>
public sealed record ChatCompletionMessage
{
    public string? Role { get; init; }

    /// <summary>A string, or an array of content parts of which only <c>{"type": "text"}</c> is accepted.</summary>
    [JsonConverter(typeof(MessageContentConverter))]
    public string? Content { get; init; }

    public string? Name { get; init; }

    /// <summary>The calls an assistant message made (its content may then be null).</summary>
    public IReadOnlyList<ChatCompletionToolCall?>? ToolCalls { get; init; }

    /// <summary>For a <c>tool</c> message: the call it answers.</summary>
    public string? ToolCallId { get; init; }
}
