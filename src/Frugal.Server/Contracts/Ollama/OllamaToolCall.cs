namespace Frugal.Server.Contracts.Ollama;

/// <summary>One tool call in an assistant message: <c>{"function": {"name", "arguments": {...}}}</c>.</summary>
public sealed record OllamaToolCall
{
    public OllamaCalledFunction? Function { get; init; }
}
