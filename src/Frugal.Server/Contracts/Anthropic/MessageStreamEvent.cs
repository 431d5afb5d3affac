using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// One event of a streamed message; <see cref="Type"/> names it (and the SSE <c>event:</c> line), and only the fields
/// of that event are written: <c>message_start</c> (message), <c>content_block_start</c> (index, content_block),
/// <c>ping</c>, <c>content_block_delta</c> (index, delta), <c>content_block_stop</c> (index), <c>message_delta</c>
/// (delta, usage), <c>message_stop</c>, <c>error</c> (error).
/// </summary>
public sealed record MessageStreamEvent(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageResponse? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Index { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContentBlock? ContentBlock { get; init; }

    /// <summary>A <c>text_delta</c> or <c>input_json_delta</c> (content_block_delta) or the stop reason (message_delta).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StreamDelta? Delta { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageUsage? Usage { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnthropicError? Error { get; init; }
}
