namespace Frugal.Server.Contracts.Ollama;

/// <summary>The body of <c>POST /api/show</c>: the model by <c>model</c> (or, from older clients, <c>name</c>).</summary>
public sealed record OllamaShowRequest
{
    public string? Model { get; init; }

    public string? Name { get; init; }

    public bool? Verbose { get; init; }
}
