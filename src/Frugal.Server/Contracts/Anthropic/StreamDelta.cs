using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// The <c>delta</c> of a stream event: <c>{"type": "text_delta", "text"}</c> or <c>{"type": "input_json_delta", "partial_json"}</c> in <c>content_block_delta</c>, or
/// <c>{"stop_reason", "stop_sequence"}</c> in <c>message_delta</c> (where both are always written).
/// </summary>
public sealed record StreamDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PartialJson { get; init; }

    public string? StopReason { get; init; }

    public string? StopSequence { get; init; }

    /// <summary>The text delta of a content block.</summary>
    public static StreamDelta OfText(string text) => new() { Type = "text_delta", Text = text };

    /// <summary>A piece of a <c>tool_use</c> block's input, as JSON text.</summary>
    public static StreamDelta OfJson(string json) => new() { Type = "input_json_delta", PartialJson = json };
}
