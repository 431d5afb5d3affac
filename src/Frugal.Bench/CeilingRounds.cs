namespace Frugal.Bench;

/// <summary>The ceiling of every speed round and what the report gives of them: medians of the per-round fractions.</summary>
public sealed class CeilingRounds
{
    public CeilingRounds(IReadOnlyList<CeilingRound> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentOutOfRangeException.ThrowIfZero(rounds.Count, nameof(rounds));
        Rounds = rounds;
        Typical = rounds.OrderBy(r => r.Ceiling.ReadBytesPerSecond).ElementAt((rounds.Count - 1) / 2).Ceiling;
        DecodeFraction = BenchRunner.Median(rounds.Select(r => r.DecodeFraction));
        BaselineCpuFraction = BenchRunner.Median(rounds.Select(r => r.BaselineCpuFraction));
    }

    public IReadOnlyList<CeilingRound> Rounds { get; }

    /// <summary>The round's ceiling with the median read bandwidth (the lower one of an even count): the bandwidth and read patterns reported.</summary>
    public BandwidthCeiling Typical { get; }

    /// <summary>The median over the rounds of Frugal's decode against its own round's ceiling.</summary>
    public double DecodeFraction { get; }

    /// <summary>The median over the rounds of plain LLamaSharp's decode per CPU second against its round's ceiling per CPU second.</summary>
    public double BaselineCpuFraction { get; }
}
