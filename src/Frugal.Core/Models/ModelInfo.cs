namespace Frugal.Models;

/// <summary>What a validated GGUF file says about its model: its shape, tokenizer and chat template.</summary>
public sealed record ModelInfo
{
    public required string Path { get; init; }
    public required long FileSizeBytes { get; init; }
    public required string Architecture { get; init; }
    public string? Name { get; init; }
    public required long ParameterCount { get; init; }

    /// <summary>The file type as llama.cpp names it ("Q8_0", "F16", ...), or "unknown".</summary>
    public required string FileType { get; init; }

    /// <summary>How many tensors of each ggml type ("Q8_0" → 155).</summary>
    public required IReadOnlyDictionary<string, int> TensorTypeHistogram { get; init; }

    /// <summary>Bytes of all tensor data (what gets memory-mapped).</summary>
    public required long TensorDataBytes { get; init; }

    /// <summary>
    /// Bytes of that data llama.cpp repacks into anonymous memory when the engine loads the file (0 when it does not
    /// repack; see <see cref="Inference.RepackedWeights"/>): their mapped pages go unused after the load. The engine sets it
    /// from what it loaded; a memory plan made before the load sets it from <see cref="Inference.RepackedWeights.AtLoad"/>
    /// (the reader leaves it 0: it depends on the repacking setting and the CPU backend, not on the file alone).
    /// </summary>
    public long RepackedTensorBytes { get; init; }

    public required int ContextLength { get; init; }
    public required int EmbeddingLength { get; init; }
    public required int BlockCount { get; init; }
    public required int HeadCount { get; init; }
    public required int HeadCountKv { get; init; }
    public required int FeedForwardLength { get; init; }
    public required int VocabSize { get; init; }
    public string? TokenizerModel { get; init; }
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }

    /// <summary>The raw chat template text from the file (data, never executed), or null.</summary>
    public string? ChatTemplate { get; init; }

    public required ChatTemplateFamily ChatTemplateFamily { get; init; }

    /// <summary>The id clients name the model by (<c>/v1/models</c>, <c>model</c>, <c>IChatClient</c>'s metadata): the file's name without its extension.</summary>
    public string Id => IdOf(Path);

    /// <summary>The id of the model in the file at <paramref name="path"/> (see <see cref="Id"/>).</summary>
    public static string IdOf(string path) => System.IO.Path.GetFileNameWithoutExtension(path);

    /// <summary>True when <paramref name="name"/> names this model: its id, its file name, or the name inside the file.</summary>
    public bool IsNamed(string name) =>
        string.Equals(name, Id, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, System.IO.Path.GetFileName(Path), StringComparison.OrdinalIgnoreCase)
        || (Name is { Length: > 0 } inFile && string.Equals(name, inFile, StringComparison.OrdinalIgnoreCase));
}
