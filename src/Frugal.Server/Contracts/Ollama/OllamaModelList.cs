namespace Frugal.Server.Contracts.Ollama;

/// <summary>The answer of <c>GET /api/tags</c> and <c>GET /api/ps</c>.</summary>
public sealed record OllamaModelList(IReadOnlyList<OllamaModel> Models);
