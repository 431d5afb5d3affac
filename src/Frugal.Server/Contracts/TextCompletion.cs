using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>
/// The answer of <c>POST /v1/completions</c> (<c>"object": "text_completion"</c>), and each event of its stream,
/// which OpenAI frames with the same object: pieces of text with a null finish reason, then the finish reason.
/// </summary>
public sealed record TextCompletion(string Id, long Created, string Model, IReadOnlyList<TextCompletionChoice> Choices)
{
    public string Object => "text_completion";

    /// <summary>Always on the answer; on a stream only on a last event (whose choices are empty), when the client asked for it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionUsage? Usage { get; init; }

    /// <summary>Frugal's extension (see <see cref="FrugalCompletionInfo"/>), on the answer and the event with the finish reason.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrugalCompletionInfo? Frugal { get; init; }
}
