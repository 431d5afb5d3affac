namespace Frugal.Bench.Tests;

/// <summary>The bench's turn-by-turn comparison of Frugal's follow-ups with plain LLamaSharp's.</summary>
public sealed class PairedFollowUpsTests
{
    [Fact]
    public void Figures_GrowthAndOverheadPerTurn()
    {
        var paired = new PairedFollowUps([1000, 1300, 1500, 1650], [1000, 1100, 1250, 1500]);

        Assert.Equal(1.65, paired.FrugalGrowth, 6);
        Assert.Equal(1.5, paired.PlainGrowth, 6);
        Assert.Equal([1.0, 1.1, 1.181818, 1.2], paired.Overheads.Select(r => Math.Round(r, 6)));
        Assert.Equal(((1300.0 / 1100) + 1.1) / 2, paired.MedianOverhead, 6);
    }

    [Fact]
    public void Figures_OneTurn_NoGrowth()
    {
        var paired = new PairedFollowUps([900], [1000]);

        Assert.Equal(0, paired.FrugalGrowth);
        Assert.Equal(0.9, paired.MedianOverhead, 6);
    }
}
