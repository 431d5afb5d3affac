using System.Globalization;

namespace Frugal.Memory;

/// <summary>
/// What running a model is expected to cost in memory, part by part (bytes). See
/// <see cref="MemoryEstimator"/> for what each part assumes.
/// </summary>
public sealed record MemoryEstimate
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// All tensor data of the file: <see cref="RepackedWeightsBytes"/> copied into anonymous memory at load, the rest
    /// (<see cref="MappedWeightsBytes"/>) memory-mapped from the file. Both must stay resident while the model runs.
    /// </summary>
    public required long WeightsBytes { get; init; }

    /// <summary>
    /// The weights llama.cpp repacks at load (<see cref="Models.ModelInfo.RepackedTensorBytes"/>): an anonymous copy,
    /// not reclaimable without swap; the file's pages of those matrices go unused once it is made. 0 when nothing is repacked.
    /// </summary>
    public long RepackedWeightsBytes { get; init; }

    /// <summary>The weights computed from the memory-mapped file: page cache, reclaimable but counted by the cgroup while hot.</summary>
    public long MappedWeightsBytes => WeightsBytes - RepackedWeightsBytes;

    /// <summary>The f16 key/value cache for every context cell.</summary>
    public required long KvCacheBytes { get; init; }

    /// <summary>llama.cpp's compute buffer (graph intermediates) plus the logits output buffer.</summary>
    public required long ComputeBytes { get; init; }

    /// <summary>The process itself: .NET runtime, native libraries, tokenizer tables.</summary>
    public required long RuntimeBytes { get; init; }

    /// <summary>
    /// The sum of the parts: what must stay resident once the model is loaded — the memory governor's figure, anonymous
    /// memory plus the mapped weights. Repacking moves weights from the second to the first; it does not change the sum.
    /// </summary>
    public long TotalBytes => WeightsBytes + KvCacheBytes + ComputeBytes + RuntimeBytes;

    /// <summary>
    /// What the box holds at the peak of the load: <see cref="TotalBytes"/> plus the file's pages the repacked copy is read
    /// from, cached beside it (reclaimable, counted by the cgroup) until the engine gives them back as the load ends
    /// (<see cref="Inference.EngineOptions.ReleaseRepackedPages"/>; kept, they stay until the kernel needs the room); after
    /// the load the box holds <see cref="TotalBytes"/>. An upper bound: the engine gives them back before it allocates the
    /// KV cache and compute buffers. Measured: TinyLlama Q4_K_M's box peaked at 1,223 MiB repacked
    /// against 768 MiB mapped (bench/RESULTS.md); with the pages given back at 1,164 MiB against 1,224 kept, and it held
    /// 823 MiB after the load against 1,218 MiB.
    /// </summary>
    public long LoadPeakBytes => TotalBytes + RepackedWeightsBytes;

    /// <summary>
    /// The weights in MiB as the plan's reasons and <c>frugal doctor</c> write them: "weights 636 (454 repacked into memory
    /// at load, 182 mapped)", or "weights 1114 (mapped)" when nothing is repacked.
    /// </summary>
    public string DescribeWeights() => RepackedWeightsBytes > 0
        ? string.Create(CultureInfo.InvariantCulture, $"weights {WeightsBytes / MiB} ({RepackedWeightsBytes / MiB} repacked into memory at load, {MappedWeightsBytes / MiB} mapped)")
        : string.Create(CultureInfo.InvariantCulture, $"weights {WeightsBytes / MiB} (mapped)");

    /// <summary>The context size (tokens per sequence) the estimate is for.</summary>
    public required int ContextSize { get; init; }

    /// <summary>KV cells allocated: context size × parallel sequences, padded as llama.cpp pads it.</summary>
    public required int KvCells { get; init; }
}
