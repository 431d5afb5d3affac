using System.Text.Json;

namespace Frugal.Server.Contracts.Responses;

/// <summary>
/// The body of <c>POST /v1/responses</c> in its stateless form: the fields Frugal honours, and those it refuses by name.
/// Every field is nullable so that a missing field and a wrong one get their own clear error.
/// </summary>
public sealed record ResponsesRequest
{
    public string? Model { get; init; }

    /// <summary>A string (one user message) or an array of message items.</summary>
    public JsonElement? Input { get; init; }

    public string? Instructions { get; init; }

    public int? MaxOutputTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public bool? Stream { get; init; }

    /// <summary><c>{"format": {"type": "text" | "json_object" | "json_schema", …}}</c>.</summary>
    public ResponsesText? Text { get; init; }

    /// <summary><c>"disabled"</c> (a prompt that does not fit is refused) or <c>"auto"</c> (the oldest turns are left out).</summary>
    public string? Truncation { get; init; }

    /// <summary>Accepted and answered back as given (nothing is kept).</summary>
    public JsonElement? Metadata { get; init; }

    // Read only to refuse them by name (400), never silently ignored: nothing is stored, no tools, no reasoning.
    public bool? Store { get; init; }

    public string? PreviousResponseId { get; init; }

    public JsonElement? Conversation { get; init; }

    public bool? Background { get; init; }

    public JsonElement? Tools { get; init; }

    public JsonElement? Reasoning { get; init; }

    public JsonElement? Include { get; init; }

    public int? TopLogprobs { get; init; }
}
