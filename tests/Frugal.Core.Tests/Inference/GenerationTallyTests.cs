using System.Diagnostics;
using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>A reply's time in hand over the floor rate, which the decode loop spends on newcomers' prompt tokens.</summary>
public sealed class GenerationTallyTests
{
    [Fact]
    public void FloorSlackSeconds_NoTokenYet_Infinite()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());

        Assert.True(double.IsPositiveInfinity(tally.FloorSlackSeconds(Stopwatch.GetTimestamp(), 6)));
    }

    [Fact]
    public void FloorSlackSeconds_ThreeTokens_TheTimeUntilTheFourthMustComeAtTheFloor()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());
        var before = Stopwatch.GetTimestamp();
        tally.TokenSampled();
        tally.TokenSampled();
        tally.TokenSampled();
        var now = Stopwatch.GetTimestamp();

        // The fourth token keeps 6 tokens/s from the first (3 intervals in 0.5 s) if it comes by first + 0.5 s.
        var slack = tally.FloorSlackSeconds(now, 6);

        Assert.InRange(slack, 0.5 - Stopwatch.GetElapsedTime(before, now).TotalSeconds, 0.5);
    }

    [Fact]
    public void FloorSlackSeconds_LaterNow_LessInHandByThatMuch()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());
        tally.TokenSampled();
        var now = Stopwatch.GetTimestamp();

        var later = tally.FloorSlackSeconds(now + Stopwatch.Frequency, 4); // one second later

        Assert.Equal(tally.FloorSlackSeconds(now, 4) - 1, later, precision: 9);
    }
}
