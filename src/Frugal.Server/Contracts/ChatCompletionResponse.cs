using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>The answer of a non-streaming chat completion (<c>"object": "chat.completion"</c>).</summary>
public sealed record ChatCompletionResponse(
    string Id,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChoice> Choices,
    CompletionUsage Usage)
{
    public string Object => "chat.completion";

    /// <summary>Frugal's extension: cached, memory pressure, what pressure cut (see <see cref="FrugalCompletionInfo"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrugalCompletionInfo? Frugal { get; init; }
}
