using System.Text.Json;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>
/// One message of <c>POST /api/chat</c> and of its answer: role and content, an assistant's tool calls, and for a
/// <c>tool</c> message the tool whose result it carries.
/// </summary>
public sealed record OllamaMessage
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    public IReadOnlyList<OllamaToolCall?>? ToolCalls { get; init; }

    /// <summary>The tool a <c>tool</c> message answers (when absent, the assistant's calls are answered in order).</summary>
    public string? ToolName { get; init; }

    // Read only to refuse it by name (this model reads text), never silently dropped.
    public JsonElement? Images { get; init; }
}
