namespace Frugal.Cli.Commands;

/// <summary>The JSON shape of <c>frugal model inspect --json</c> (snake_case on the wire).</summary>
internal sealed record ModelInspectReport
{
    public required string Path { get; init; }
    public required string Architecture { get; init; }
    public string? Name { get; init; }
    public required long ParameterCount { get; init; }
    public required string FileType { get; init; }
    public required IReadOnlyDictionary<string, int> TensorTypes { get; init; }
    public required long TensorDataBytes { get; init; }
    public required long FileSizeBytes { get; init; }
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
    public required bool ChatTemplatePresent { get; init; }
    public required string ChatTemplateFamily { get; init; }
    public required int EstimateContextSize { get; init; }
    public required long EstimatedMemoryBytes { get; init; }
    public required long EstimatedWeightsBytes { get; init; }

    /// <summary>Of the weights, those llama.cpp repacks at load into anonymous memory (0 when none).</summary>
    public required long EstimatedWeightsRepackedBytes { get; init; }

    /// <summary>Of the weights, those computed from the mapped file.</summary>
    public required long EstimatedWeightsMappedBytes { get; init; }

    /// <summary>The estimate plus the file's pages the repacked weights are read from (page cache until the load gives them back): the load's peak.</summary>
    public required long EstimatedLoadPeakBytes { get; init; }

    /// <summary>The repacking setting the estimate is for: auto, on or off.</summary>
    public required string Repack { get; init; }

    /// <summary>Why nothing is repacked, or that the CPU backend could not be asked; null otherwise.</summary>
    public string? RepackNote { get; init; }
    public required long EstimatedKvCacheBytes { get; init; }
    public required long EstimatedComputeBytes { get; init; }
    public required long EstimatedRuntimeBytes { get; init; }
}
