namespace Frugal.Bench;

/// <summary>
/// One speed round's decodes beside the bandwidth ceiling measured just before them. A shared host's memory
/// bandwidth moves from minute to minute (one core read the same file at 24.7 and 31 GB/s within an hour), so each
/// decode is held against the ceiling of its own round rather than one measured minutes away.
/// </summary>
/// <param name="Ceiling">The ceiling measured at the start of the round.</param>
/// <param name="DecodeTokensPerSecond">Frugal's decode in that round.</param>
/// <param name="BaselineDecodeTokensPerCpuSecond">Plain LLamaSharp's decode per CPU second in that round (NaN when not measured).</param>
public sealed record CeilingRound(BandwidthCeiling Ceiling, double DecodeTokensPerSecond, double BaselineDecodeTokensPerCpuSecond)
{
    /// <summary>Frugal's decode as a fraction of this round's ceiling.</summary>
    public double DecodeFraction => Ceiling.FractionOf(DecodeTokensPerSecond);

    /// <summary>Plain LLamaSharp's decode per CPU second as a fraction of this round's ceiling per CPU second.</summary>
    public double BaselineCpuFraction => Ceiling.FractionOfCpu(BaselineDecodeTokensPerCpuSecond);
}
