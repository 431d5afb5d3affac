namespace Frugal.Server.Contracts.Ollama;

/// <summary>The answer of <c>GET /api/version</c>: Frugal's own version.</summary>
public sealed record OllamaVersion(string Version);
