using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Responses;

/// <summary>
/// A response (<c>"object": "response"</c>): its status (<c>in_progress</c> while streaming, <c>completed</c>, or
/// <c>incomplete</c> when <c>max_output_tokens</c> ended it), its output items and usage, and the settings it ran with.
/// </summary>
public sealed record ResponseObject(string Id, long CreatedAt, string Model, string Status, IReadOnlyList<ResponseOutputItem> Output)
{
    public string Object => "response";

    public ResponseIncompleteDetails? IncompleteDetails { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseUsage? Usage { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxOutputTokens { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Temperature { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TopP { get; init; }

    public ResponsesText Text { get; init; } = new(new ResponsesTextFormat { Type = "text" });

    public string Truncation { get; init; } = "disabled";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Metadata { get; init; }

    /// <summary>Always false: nothing is stored (the stateless form).</summary>
    public bool Store => false;

    public bool ParallelToolCalls => false;

    public string ToolChoice => "none";

    public IReadOnlyList<string> Tools => [];
}
