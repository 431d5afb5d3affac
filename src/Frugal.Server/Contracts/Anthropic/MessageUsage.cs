using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// Token counts of a message: input tokens (those a kept KV state already held are also counted as read from the
/// cache) and output tokens.
/// </summary>
public sealed record MessageUsage
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? InputTokens { get; init; }

    public int OutputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CacheReadInputTokens { get; init; }
}
