namespace Frugal.Bench.Tests;

/// <summary>Each speed round's decode against the ceiling measured in that round, and the medians the report gives.</summary>
public sealed class CeilingRoundsTests
{
    private const long BytesPerToken = 1_000_000_000;

    [Fact]
    public void DecodeFraction_EachRoundAgainstItsOwnCeiling_MedianOfThoseFractions()
    {
        // Ceilings of 25, 10 and 40 tokens/s with decodes of 20, 10 and 20 tokens/s: fractions 0.8, 1.0 and 0.5.
        var rounds = new CeilingRounds([Round(25, 20, 5, 10), Round(10, 10, 5, 5), Round(40, 20, 5, 10)]);

        Assert.Equal(0.8, rounds.DecodeFraction, 9);
        Assert.Equal([0.8, 1.0, 0.5], rounds.Rounds.Select(r => Math.Round(r.DecodeFraction, 9)));
    }

    [Fact]
    public void DecodeFraction_BandwidthMovingWithTheDecode_NotThePooledMedians()
    {
        // The machine's bandwidth halves between rounds and the decode with it: each round reaches 0.75 of its own
        // ceiling, while the pooled medians (decode 15, ceiling 30) would give 0.5 — the mismatch this type removes.
        var rounds = new CeilingRounds([Round(40, 30, 40, 30), Round(20, 15, 20, 15), Round(30, 10, 30, 10)]);

        Assert.Equal(0.75, rounds.DecodeFraction, 9);
        Assert.Equal(0.75, rounds.BaselineCpuFraction, 9);
    }

    [Fact]
    public void Typical_TheRoundWithTheMedianBandwidth()
    {
        var rounds = new CeilingRounds([Round(31, 20, 31, 20), Round(24, 18, 24, 18), Round(27, 19, 27, 19)]);

        Assert.Equal(27e9, rounds.Typical.ReadBytesPerSecond);
    }

    [Fact]
    public void Typical_EvenCount_TheLowerOfTheMiddleTwo()
    {
        var rounds = new CeilingRounds([Round(31, 20, 31, 20), Round(24, 18, 24, 18)]);

        Assert.Equal(24e9, rounds.Typical.ReadBytesPerSecond);
    }

    [Fact]
    public void New_NoRounds_Refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new CeilingRounds([]));

    // A round whose ceiling reads gbs GB/s (gbsCpu per CPU second) and whose decodes ran at the given rates; a token reads 1 GB.
    private static CeilingRound Round(double gbs, double decode, double gbsCpu, double baselineCpu) =>
        new(new BandwidthCeiling(gbs * 1e9, BytesPerToken) { ReadBytesPerCpuSecond = gbsCpu * 1e9 }, decode, baselineCpu);
}
