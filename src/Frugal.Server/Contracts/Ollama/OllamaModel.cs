namespace Frugal.Server.Contracts.Ollama;

/// <summary>One model of <c>GET /api/tags</c> (and, with the running fields, of <c>GET /api/ps</c>).</summary>
public sealed record OllamaModel(string Name, string Model, long Size, string Digest, OllamaModelDetails Details)
{
    /// <summary>The model file's modification time (tags).</summary>
    public string? ModifiedAt { get; init; }

    /// <summary>When the loaded model would be unloaded (ps): it stays while the server runs.</summary>
    public string? ExpiresAt { get; init; }

    /// <summary>Bytes of the model in accelerator memory (ps): none, it runs on the CPU.</summary>
    public long? SizeVram { get; init; }

    /// <summary>The context the model was loaded with (ps).</summary>
    public int? ContextLength { get; init; }
}
