using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>A tool call: in an assistant message (answer or history), or a streamed delta of one (with <see cref="Index"/>).</summary>
public sealed record ChatCompletionToolCall
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Index { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    public ChatCompletionCalledFunction? Function { get; init; }
}
