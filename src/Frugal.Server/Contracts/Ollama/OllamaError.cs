namespace Frugal.Server.Contracts.Ollama;

/// <summary>Ollama's error answer (and the last line of a stream that failed): <c>{"error": "message"}</c>.</summary>
public sealed record OllamaError(string Error);
