using Frugal.Inference.State;
using Frugal.Models;

namespace Frugal.Inference;

/// <summary>How to load a model and create its one native context.</summary>
public sealed record EngineOptions
{
    /// <summary>Largest context size picked when <see cref="ContextSize"/> is 0 (the model's own may be far larger than the box can hold).</summary>
    public const int MaxDefaultContextSize = 4096;

    /// <summary>Default tokens per <c>llama_decode</c> call during prompt evaluation.</summary>
    public const int DefaultBatchSize = 512;

    /// <summary>The GGUF file to load.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Context size in tokens; 0 takes the model's training context, capped at <see cref="MaxDefaultContextSize"/>.</summary>
    public int ContextSize { get; init; }

    /// <summary>Logical batch size (tokens submitted per decode call).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Physical (micro) batch size; 0 uses <see cref="BatchSize"/>.</summary>
    public int MicroBatchSize { get; init; }

    /// <summary>
    /// Threads for decoding and prompt evaluation; 0 uses <see cref="Environment.ProcessorCount"/>, which .NET
    /// derives from the cgroup CPU quota and the process's affinity, not from the machine's core count.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// Flash attention: null lets llama.cpp decide (auto, the default), true forces it on, false off.
    /// Measured on the TinyLlama shape at a 257-token prompt: on, off and auto within noise of each other
    /// (±8%); auto also uses less KV working memory.
    /// </summary>
    public bool? FlashAttention { get; init; }

    /// <summary>
    /// Let llama.cpp repack weights into CPU-friendly layouts at load (<c>use_extra_bufts</c>): true, false, or null
    /// (the default) to decide by the file's type (<see cref="RepacksByDefault"/>). A repacked matrix is an anonymous
    /// copy: it cannot be dropped and re-read like the mapped file's pages.
    /// </summary>
    public bool? RepackWeights { get; init; }

    /// <summary>
    /// Keep the mapped weights in 2 MiB pages (the default): before the load, a page cache that holds the file in small
    /// pages is read back in large folios, and llama.cpp's mapping asks for huge pages so pages reclaimed later come
    /// back in them (<see cref="PageCache.PrepareHugePages"/>). False leaves the page cache as the kernel has it.
    /// </summary>
    public bool HugePages { get; init; } = true;

    /// <summary>
    /// After a load that repacks weights, give back the model file's pages the repacked copy was read from (the default):
    /// unmapped from llama.cpp's mapping and dropped from the page cache, where they would stay, counted by the box, until
    /// the kernel reclaims them (<see cref="RepackedPageRelease"/>). False leaves them to the kernel.
    /// </summary>
    public bool ReleaseRepackedPages { get; init; } = true;

    /// <summary>
    /// Whether a file of <paramref name="fileType"/> (llama.cpp's name, "Q4_K_M") is repacked when
    /// <see cref="RepackWeights"/> is null: the 4-bit types, unless the CPU backend computes every type of the file's
    /// matrices (<paramref name="matrixTypes"/>) from the mapped file with its own kernels (<see cref="CpuKernels.Mapped"/>,
    /// Frugal's backend: <see cref="FrugalCpuKernels.Loaded"/>) and has none of its own for the layout llama.cpp repacks
    /// one of them into (<see cref="CpuKernels.Repacked"/>, <see cref="FrugalCpuKernels.LoadedRepacked"/>) — a
    /// repacked matrix goes to the repacked layout's kernels, llama.cpp's or Frugal's. <paramref name="kernels"/> is asked
    /// only for a 4-bit file (reading them may load the native library). Callers go through
    /// <see cref="RepackedWeights.Requested"/>, which applies <see cref="RepackWeights"/> first. Measured on the TinyLlama shape in
    /// the 1 CPU / 2 GiB box (bench/RESULTS.md, "Quantization formats", "Eleventh session", "Fourteenth session"): with
    /// llama.cpp's kernels Q4_0 decodes ≈1.7x and evaluates prompts ≈1.9x faster repacked, Q4_K_M prompts ≈1.5x, for
    /// ≈520 MiB of anonymous memory in place of mapped pages; Q8_0 gains little and would keep a second 1.1 GB copy beside
    /// the map, so it is not repacked. Frugal's kernels for llama.cpp's repacked Q4_K decode Q4_K_M ≈1.17x and read its
    /// prompts ≈1.1x faster than Frugal's kernels on the mapped file (which were ≈1.25x faster than llama.cpp's repacked
    /// ones), for the same ≈450 MiB of anonymous memory.
    /// </summary>
    public static bool RepacksByDefault(string fileType, IReadOnlySet<GgmlType> matrixTypes, Func<CpuKernels> kernels)
    {
        ArgumentNullException.ThrowIfNull(fileType);
        ArgumentNullException.ThrowIfNull(matrixTypes);
        ArgumentNullException.ThrowIfNull(kernels);
        if (!fileType.StartsWith("Q4_", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var own = kernels();
        return !(matrixTypes.Count > 0 && matrixTypes.IsSubsetOf(own.Mapped)) || matrixTypes.Overlaps(own.Repacked);
    }

    /// <summary>
    /// The llama.cpp native library the process loads (<see cref="NativeLibrarySelection"/>): null or "auto" is LLamaSharp's
    /// own choice for this CPU, "avx512", "avx2", "avx", "noavx" one of the packaged builds, or the path of a <c>libllama.so</c> of one's own build. Process-wide: the first engine's choice holds.
    /// </summary>
    public string? NativeLibrary { get; init; }

    /// <summary>Chat format to use; null takes it from the model file and fails when the file's template is unknown.</summary>
    public ChatTemplateFamily? ChatTemplate { get; init; }

    /// <summary>Where idle sessions' KV states go when another session takes the context; null keeps only the active one.</summary>
    public ISessionStateStore? SessionStateStore { get; init; }

    /// <summary>
    /// Sessions whose KV state holds fewer tokens than this are not saved when another session takes the
    /// context. Measured on the TinyLlama shape (1 CPU): saving 320 tokens took 0.28 s and restoring them
    /// 0.08 s against 34 s to re-evaluate them, and a 21-token state saved in 4 ms, so saving pays at any
    /// real size; the floor only keeps trivial states out of the store.
    /// </summary>
    public int MinTokensToSaveState { get; init; } = DefaultMinTokensToSaveState;

    /// <summary>
    /// Sequences decoded together (continuous batching): each gets a context of <see cref="ContextSize"/>
    /// tokens of its own and holds one session's tokens; up to this many requests run at once, one
    /// <c>llama_decode</c> per step for all of them. 1 (the default) is the single-sequence engine. 0 chooses
    /// at load, for latency: the most sequences (up to <see cref="MaxAutoParallelSequences"/>) whose measured
    /// shared decode step still gives each at least <see cref="StreamFloorTokensPerSecond"/> (see
    /// <see cref="ParallelMeasurement"/>).
    /// </summary>
    public int ParallelSequences { get; init; } = 1;

    /// <summary>The sequence count tried when <see cref="ParallelSequences"/> is 0 (the most the memory plan allows).</summary>
    public int MaxAutoParallelSequences { get; init; } = DefaultMaxAutoParallelSequences;

    /// <summary>
    /// The slowest a running reply may become because others joined it (tokens/s): a new request starts
    /// streaming only while the estimated decode step of one more stream (measured at start, then from live
    /// steps) keeps every stream at or above it; otherwise it waits in the scheduler's fair queue. People read
    /// about 4–6 words a second, so 6 tokens/s still outpaces a reader.
    /// </summary>
    public double StreamFloorTokensPerSecond { get; init; } = DefaultStreamFloorTokensPerSecond;

    /// <summary>
    /// Prompt tokens a joining request evaluates per step while other replies stream (chunked prefill), so
    /// their tokens keep coming while it starts. 0 chooses: from the start-up measurement when there is one
    /// (<see cref="ParallelMeasurement.ChunkTokens"/>), else <see cref="DefaultPrefillChunkTokens"/>. A prompt
    /// with no running reply beside it is evaluated a whole batch at a time.
    /// </summary>
    public int PrefillChunkTokens { get; init; }

    /// <summary>
    /// How far ahead (in reply tokens) the decode loop looks when it weighs a joining request's prompt against the
    /// replies already streaming. Each running reply may lend the newcomer the time it has in hand: how much sooner
    /// than the floor rate (from its first token) allows it would have its next <see cref="PrefillHorizonTokens"/>
    /// tokens (no more than its token budget) at the current step cost. A step carries only as many prompt tokens as
    /// the reply with the least in hand can lend, none when it has nothing to lend (the newcomer waits for a reply to
    /// end or gain time), so prefill does not push a reply below the floor over that horizon. A long horizon lets a
    /// newcomer start at once on a young reply's future margin (prefill first, as people feel the wait for the first
    /// word most); 1 keeps every single token on the floor's pace; 0 turns the pacing off (every step carries a whole
    /// prompt chunk, as before it existed).
    /// </summary>
    public int PrefillHorizonTokens { get; init; } = DefaultPrefillHorizonTokens;

    /// <summary>Default of <see cref="PrefillHorizonTokens"/>.</summary>
    public const int DefaultPrefillHorizonTokens = 64;

    /// <summary>Largest <see cref="PrefillHorizonTokens"/> accepted.</summary>
    public const int MaxPrefillHorizonTokens = 4096;

    /// <summary>Default of <see cref="StreamFloorTokensPerSecond"/>.</summary>
    public const double DefaultStreamFloorTokensPerSecond = 6;

    /// <summary>The chunk used when <see cref="PrefillChunkTokens"/> is 0 and nothing was measured.</summary>
    public const int DefaultPrefillChunkTokens = ParallelMeasurement.MinChunkTokens;

    /// <summary>Smallest <see cref="PrefillChunkTokens"/> accepted.</summary>
    public const int MinPrefillChunkTokens = 8;

    /// <summary>
    /// When a session's history window drops its oldest turns, remove their KV cells and move the kept turns'
    /// cells down (llama.cpp's context shift) instead of evaluating the kept turns again. On by default; off (or
    /// a model whose cache llama.cpp cannot shift) re-evaluates the window, and says so in the log.
    /// </summary>
    public bool ContextShift { get; init; } = true;

    /// <summary>
    /// After a reply to a session, evaluate the reply's last token and the template's turn separator while the
    /// engine is idle (abandoned when a request arrives), so the session's next turn evaluates only its new
    /// message. On by default; off leaves the cells exactly as the reply left them (tests that compare them).
    /// </summary>
    public bool PrepareNextTurn { get; init; } = true;

    /// <summary>Default of <see cref="MaxAutoParallelSequences"/>.</summary>
    public const int DefaultMaxAutoParallelSequences = 8;

    /// <summary>Most <see cref="ParallelSequences"/> accepted (llama.cpp's own limit is 256; beyond a few dozen a CPU gains nothing).</summary>
    public const int MaxParallelSequences = 64;

    /// <summary>Default of <see cref="MinTokensToSaveState"/>.</summary>
    public const int DefaultMinTokensToSaveState = 8;
}
