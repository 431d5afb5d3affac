using System.Text.Json;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>One message of <c>POST /api/chat</c> (and of its answer, with only role and content).</summary>
public sealed record OllamaMessage
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    // Read only to refuse them by name (this model reads text, and calls no tools here), never silently dropped.
    public JsonElement? Images { get; init; }

    public JsonElement? ToolCalls { get; init; }
}
