namespace Frugal.Bench;

/// <summary>
/// Times to first token (ms) of one chat's turns through Frugal, each followed at once by plain LLamaSharp
/// evaluating the same number of new tokens after the same number of kept ones in its own cache.
/// </summary>
public sealed record PairedFollowUps(IReadOnlyList<double> FrugalMs, IReadOnlyList<double> PlainMs)
{
    /// <summary>Frugal's last turn over its first.</summary>
    public double FrugalGrowth => Growth(FrugalMs);

    /// <summary>Plain LLamaSharp's last turn over its first: the floor of <see cref="FrugalGrowth"/>.</summary>
    public double PlainGrowth => Growth(PlainMs);

    /// <summary>Per turn Frugal's time over plain LLamaSharp's, sorted (what Frugal adds to a follow-up turn).</summary>
    public IReadOnlyList<double> Overheads { get; } = [.. FrugalMs.Zip(PlainMs, (f, p) => p > 0 ? f / p : 0).Order()];

    /// <summary>The median of <see cref="Overheads"/>.</summary>
    public double MedianOverhead => BenchRunner.Median(Overheads);

    private static double Growth(IReadOnlyList<double> ms) => ms.Count >= 2 && ms[0] > 0 ? ms[^1] / ms[0] : 0;
}
