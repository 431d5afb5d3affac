using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Responses;

/// <summary><c>{"type": "text"}</c>, <c>{"type": "json_object"}</c> or <c>{"type": "json_schema", "name", "schema", "strict"}</c>.</summary>
public sealed record ResponsesTextFormat
{
    public string? Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Schema { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Strict { get; init; }
}
