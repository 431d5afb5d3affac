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
    public required long EstimatedKvCacheBytes { get; init; }
    public required long EstimatedComputeBytes { get; init; }
    public required long EstimatedRuntimeBytes { get; init; }
}
