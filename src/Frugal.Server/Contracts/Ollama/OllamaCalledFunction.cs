using System.Text.Json;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>The function a tool call calls, with its arguments as a JSON object (Ollama's; OpenAI sends them as text).</summary>
public sealed record OllamaCalledFunction
{
    public string? Name { get; init; }

    public JsonElement? Arguments { get; init; }
}
