using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>
/// A content block of a message: <c>{"type": "text", "text"}</c>, or <c>{"type": "tool_use", "id", "name", "input"}</c>
/// (a tool the model calls, with its arguments as a JSON object).
/// </summary>
public sealed record ContentBlock(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Input { get; init; }

    /// <summary>A text block.</summary>
    public static ContentBlock OfText(string text) => new("text") { Text = text };

    /// <summary>A <c>tool_use</c> block calling <paramref name="name"/> with <paramref name="input"/>.</summary>
    public static ContentBlock OfToolUse(string id, string name, JsonElement input) => new("tool_use") { Id = id, Name = name, Input = input };
}
