using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>The assistant's message in a non-streaming answer: text, or (content null) tool calls.</summary>
public sealed record ChatCompletionResponseMessage(string? Content)
{
    public string Role => "assistant";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatCompletionToolCall>? ToolCalls { get; init; }
}
