using System.Diagnostics;
using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>A reply's time in hand over the floor rate, which the decode loop lends to newcomers' prompt tokens.</summary>
public sealed class GenerationTallyTests
{
    private const double Rounding = 1e-9; // seconds: the sums run in another order than the expectations
    [Fact]
    public void FloorSlackSeconds_NoTokenYet_Infinite()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());

        Assert.True(double.IsPositiveInfinity(tally.FloorSlackSeconds(Stopwatch.GetTimestamp(), 6, 32, 64, 0.05)));
    }

    [Fact]
    public void FloorSlackSeconds_HorizonOne_TheTimeUntilTheNextTokenMustComeLessItsStep()
    {
        var (tally, before, now) = ThreeTokens();

        // The fourth token keeps 6 tokens/s from the first (3 intervals in 0.5 s) if it comes by first + 0.5 s; its step takes 0.1 s.
        var slack = tally.FloorSlackSeconds(now, 6, 1, 64, 0.1);

        Assert.InRange(slack, 0.4 - Stopwatch.GetElapsedTime(before, now).TotalSeconds - Rounding, 0.4 + Rounding);
    }

    [Fact]
    public void FloorSlackSeconds_LongerHorizon_WhatTheNextTokensLeaveOverTheirDeadline()
    {
        var (tally, before, now) = ThreeTokens();

        // Tokens 4..12 (9 steps of 0.1 s) keep 6 tokens/s if the 12th comes by first + 11 / 6 s.
        var slack = tally.FloorSlackSeconds(now, 6, 9, 64, 0.1);

        var most = (11 / 6.0) - 0.9;
        Assert.InRange(slack, most - Stopwatch.GetElapsedTime(before, now).TotalSeconds - Rounding, most + Rounding);
    }

    [Fact]
    public void FloorSlackSeconds_HorizonBeyondTheTokenBudget_OnlyUpToTheBudget()
    {
        var (tally, before, now) = ThreeTokens();

        // A budget of 5 tokens: 2 more steps, and the 5th keeps 6 tokens/s if it comes by first + 4 / 6 s.
        var slack = tally.FloorSlackSeconds(now, 6, 32, 5, 0.1);

        var most = (4 / 6.0) - 0.2;
        Assert.InRange(slack, most - Stopwatch.GetElapsedTime(before, now).TotalSeconds - Rounding, most + Rounding);
    }

    [Fact]
    public void FloorSlackSeconds_LaterNow_LessInHandByThatMuch()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());
        tally.TokenSampled();
        var now = Stopwatch.GetTimestamp();

        var later = tally.FloorSlackSeconds(now + Stopwatch.Frequency, 4, 8, 64, 0.05); // one second later

        Assert.Equal(tally.FloorSlackSeconds(now, 4, 8, 64, 0.05) - 1, later, precision: 9);
    }

    private static (GenerationTally Tally, long Before, long Now) ThreeTokens()
    {
        var tally = new GenerationTally(10, Stopwatch.GetTimestamp());
        var before = Stopwatch.GetTimestamp();
        tally.TokenSampled();
        tally.TokenSampled();
        tally.TokenSampled();
        return (tally, before, Stopwatch.GetTimestamp());
    }
}
