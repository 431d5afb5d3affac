namespace Frugal.Bench;

/// <summary>Plain LLamaSharp's figures in the same run.</summary>
public sealed record BenchBaseline(double LoadMs, double PromptTokensPerSecond, double DecodeTokensPerSecond)
{
    /// <summary>
    /// A chat alone measured turn by turn against plain LLamaSharp reusing its cache by hand (the floor of a
    /// follow-up: what attention over a longer cache costs anyway); null when not measured.
    /// </summary>
    public PairedFollowUps? FollowUps { get; init; }

    /// <summary>
    /// Frugal's prompt tokens/s over the baseline's, the median of the rounds' ratios (each round measures both
    /// sides back to back, so a ratio within a round is not swayed by the machine's load drifting between rounds).
    /// </summary>
    public double PromptRatio { get; init; }

    /// <summary>The same for decode tokens/s.</summary>
    public double DecodeRatio { get; init; }

    /// <summary>
    /// The baseline's decode tokens per CPU second of its one decoding thread (median of the rounds); NaN when it decoded
    /// on several threads. Set beside the ceiling's CPU-time bandwidth, it says how close decoding comes to what memory
    /// allows even when the machine is busy with other work.
    /// </summary>
    public double DecodeTokensPerCpuSecond { get; init; } = double.NaN;
}
