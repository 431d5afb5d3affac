namespace Frugal.Inference.Benchmarking;

/// <summary>Plain LLamaSharp's figures in the same run.</summary>
public sealed record BenchBaseline(double LoadMs, double PromptTokensPerSecond, double DecodeTokensPerSecond)
{
    /// <summary>
    /// Plain LLamaSharp reusing its cache by hand: ms to evaluate the single chat's first turn's new tokens after
    /// its kept ones, and the first token sampled (0: not measured).
    /// </summary>
    public double FollowUpFirstMs { get; init; }

    /// <summary>The same for the last turn: its new tokens after the whole kept conversation.</summary>
    public double FollowUpLastMs { get; init; }

    /// <summary>
    /// Frugal's prompt tokens/s over the baseline's, the median of the rounds' ratios (each round measures both
    /// sides back to back, so a ratio within a round is not swayed by the machine's load drifting between rounds).
    /// </summary>
    public double PromptRatio { get; init; }

    /// <summary>The same for decode tokens/s.</summary>
    public double DecodeRatio { get; init; }
}
