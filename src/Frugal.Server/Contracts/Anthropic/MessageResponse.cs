using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// A message (<c>"type": "message"</c>): the answer of <c>POST /v1/messages</c>, and, empty, what a stream's
/// <c>message_start</c> carries.
/// </summary>
public sealed record MessageResponse(string Id, string Model, IReadOnlyList<ContentBlock> Content, MessageUsage Usage)
{
    public string Type => "message";

    public string Role => "assistant";

    /// <summary><c>end_turn</c>, <c>max_tokens</c>, <c>stop_sequence</c>, <c>tool_use</c>; null in <c>message_start</c>.</summary>
    public string? StopReason { get; init; }

    /// <summary>The stop sequence that ended the message, else null (always written).</summary>
    public string? StopSequence { get; init; }

    /// <summary>Frugal's extension (see <see cref="FrugalCompletionInfo"/>), on the answer only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrugalCompletionInfo? Frugal { get; init; }
}
