using System.Text.Json;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>The body of <c>POST /api/generate</c> (Ollama streams unless <c>stream</c> is false).</summary>
public sealed record OllamaGenerateRequest
{
    public string? Model { get; init; }

    public string? Prompt { get; init; }

    public string? System { get; init; }

    /// <summary>True: the prompt is read as given, without the chat template.</summary>
    public bool? Raw { get; init; }

    public bool? Stream { get; init; }

    /// <summary><c>"json"</c> or a JSON schema.</summary>
    public JsonElement? Format { get; init; }

    public OllamaOptions? Options { get; init; }

    /// <summary>Accepted: the model stays loaded while the server runs, whatever is asked.</summary>
    public JsonElement? KeepAlive { get; init; }

    // Read only to refuse them by name, never silently ignored.
    public string? Suffix { get; init; }

    public string? Template { get; init; }

    public JsonElement? Context { get; init; }

    public JsonElement? Images { get; init; }

    public JsonElement? Think { get; init; }
}
