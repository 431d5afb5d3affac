using System.Text.Json;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>The body of <c>POST /api/chat</c> (Ollama streams unless <c>stream</c> is false).</summary>
public sealed record OllamaChatRequest
{
    public string? Model { get; init; }

    public IReadOnlyList<OllamaMessage?>? Messages { get; init; }

    public bool? Stream { get; init; }

    /// <summary><c>"json"</c> or a JSON schema.</summary>
    public JsonElement? Format { get; init; }

    public OllamaOptions? Options { get; init; }

    /// <summary>Accepted: the model stays loaded while the server runs, whatever is asked.</summary>
    public JsonElement? KeepAlive { get; init; }

    /// <summary>Functions the model may call, in OpenAI's shape (<c>{"type": "function", "function": {...}}</c>).</summary>
    public IReadOnlyList<ChatCompletionTool?>? Tools { get; init; }

    // Read only to refuse it by name, never silently ignored.
    public JsonElement? Think { get; init; }
}
