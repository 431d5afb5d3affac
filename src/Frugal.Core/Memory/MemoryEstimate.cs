namespace Frugal.Memory;

/// <summary>
/// What running a model is expected to cost in memory, part by part (bytes). See
/// <see cref="MemoryEstimator"/> for what each part assumes.
/// </summary>
public sealed record MemoryEstimate
{
    /// <summary>Tensor data, memory-mapped from the file: page cache, reclaimable but counted by the cgroup while hot.</summary>
    public required long WeightsBytes { get; init; }

    /// <summary>The f16 key/value cache for every context cell.</summary>
    public required long KvCacheBytes { get; init; }

    /// <summary>llama.cpp's compute buffer (graph intermediates) plus the logits output buffer.</summary>
    public required long ComputeBytes { get; init; }

    /// <summary>The process itself: .NET runtime, native libraries, tokenizer tables.</summary>
    public required long RuntimeBytes { get; init; }

    /// <summary>The sum of the parts.</summary>
    public long TotalBytes => WeightsBytes + KvCacheBytes + ComputeBytes + RuntimeBytes;

    /// <summary>The context size (tokens per sequence) the estimate is for.</summary>
    public required int ContextSize { get; init; }

    /// <summary>KV cells allocated: context size × parallel sequences, padded as llama.cpp pads it.</summary>
    public required int KvCells { get; init; }
}
