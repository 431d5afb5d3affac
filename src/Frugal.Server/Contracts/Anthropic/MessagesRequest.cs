using System.Text.Json;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// The body of <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c> (the fields Frugal honours, and those it
/// refuses by name). Every field is nullable so that a missing field and a wrong one get their own clear error.
/// </summary>
public sealed record MessagesRequest
{
    public string? Model { get; init; }

    public int? MaxTokens { get; init; }

    public IReadOnlyList<AnthropicMessage?>? Messages { get; init; }

    /// <summary>A string or an array of text blocks.</summary>
    public JsonElement? System { get; init; }

    public IReadOnlyList<string>? StopSequences { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public bool? Stream { get; init; }

    /// <summary>Accepted: <c>user_id</c> is an opaque id for the caller's own records.</summary>
    public JsonElement? Metadata { get; init; }

    public IReadOnlyList<AnthropicTool?>? Tools { get; init; }

    public AnthropicToolChoice? ToolChoice { get; init; }

    // Read only to refuse it by name, never silently ignored.
    public JsonElement? Thinking { get; init; }
}
