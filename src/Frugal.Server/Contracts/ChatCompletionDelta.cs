using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>What a chunk adds: the role (first chunk), a piece of content, or nothing (last chunk).</summary>
public sealed record ChatCompletionDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatCompletionToolCall>? ToolCalls { get; init; }
}
