namespace Frugal.Server.Contracts.Ollama;

/// <summary>The answer of <c>POST /api/show</c>: what the model file says about itself, in Ollama's fields.</summary>
public sealed record OllamaShowResponse(
    string Modelfile, string Parameters, string Template, OllamaModelDetails Details, IReadOnlyDictionary<string, System.Text.Json.JsonElement> ModelInfo,
    IReadOnlyList<string> Capabilities, string ModifiedAt);
