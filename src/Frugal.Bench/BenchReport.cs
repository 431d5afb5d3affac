using Frugal.Inference;

namespace Frugal.Bench;

/// <summary>Everything one <c>frugal bench</c> run measured.</summary>
public sealed record BenchReport
{
    public required DateTimeOffset Date { get; init; }

    /// <summary>How much was measured (turns, tokens, rounds).</summary>
    public required BenchOptions Options { get; init; }

    public required string Machine { get; init; }
    public required string ModelPath { get; init; }
    public required string ModelDescription { get; init; }
    public required int ContextSize { get; init; }
    public required int Threads { get; init; }

    /// <summary>The path concurrent clients took: through the scheduler, or straight to the engine.</summary>
    public required string ClientPath { get; init; }

    public required double LoadMs { get; init; }
    public required double PromptTokensPerSecond { get; init; }
    public required double DecodeTokensPerSecond { get; init; }
    public required BenchBaseline Baseline { get; init; }

    /// <summary>Time to first token per turn of one session alone.</summary>
    public required IReadOnlyList<double> TtftSingleMs { get; init; }

    /// <summary>Time to first token per turn of each interleaving session.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> TtftInterleavedMs { get; init; }

    /// <summary>Prompt tokens served from a kept KV state per turn of the single session (shows the reuse).</summary>
    public required IReadOnlyList<int> CachedTokensSingle { get; init; }

    /// <summary>Prompt tokens served from a kept KV state per turn of each interleaving session.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> CachedTokensInterleaved { get; init; }

    /// <summary>Aggregate decode tokens per second by number of concurrent clients.</summary>
    public required IReadOnlyDictionary<int, double> AggregateDecodeTokensPerSecond { get; init; }

    /// <summary>
    /// Aggregate decode tokens per second of N sequences decoded together in one multi-sequence batch
    /// (plain LLamaSharp): what continuous batching could gain on this box.
    /// </summary>
    public required IReadOnlyDictionary<int, double> BatchedDecodeTokensPerSecond { get; init; }

    public required long PeakMemoryBytes { get; init; }
    public required long PeakAnonymousBytes { get; init; }
    public required long PeakFileBytes { get; init; }

    /// <summary>Where the peak came from: "cgroup" (the box's own peak) or "process" (VmHWM).</summary>
    public required string PeakMemorySource { get; init; }

    /// <summary>
    /// Single-core read bandwidth over the mapped model file and the decode speed it allows, measured at the start of
    /// every speed round, with each round's decode held against its own; null when not measured.
    /// </summary>
    public CeilingRounds? Ceiling { get; init; }

    /// <summary>The model file's pages at Frugal's load (2 MiB pages or not, and whether they were read back); null when the engine does not say.</summary>
    public HugePageReport? WeightPages { get; init; }

    /// <summary>What the load gave back of the file's pages its repacked weights were read from; null when the engine does not say.</summary>
    public RepackedPageRelease? RepackedPages { get; init; }

    /// <summary>The long-chat phase (conversations past the context); null when it was not run.</summary>
    public LongChatFigures? LongChat { get; init; }

    /// <summary>Decode speed under a JSON-schema grammar against free decoding, same run; null when not measured.</summary>
    public GrammarFigures? Grammar { get; init; }

    /// <summary>The cgroup the measured part ran in, or null when it ran unboxed.</summary>
    public BenchBox? Box { get; init; }
}
