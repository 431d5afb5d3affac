using System.Text.Json;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>One message of a Messages request: a role and content, a string or an array of content blocks.</summary>
public sealed record AnthropicMessage
{
    public string? Role { get; init; }

    public JsonElement? Content { get; init; }
}
