using Frugal.Inference;
using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference.Batching;

/// <summary>The step costs behind the stream limit: the start-up measurement, then live steps.</summary>
public sealed class StepCostModelTests
{
    private static readonly ParallelMeasurement Measured = new()
    {
        StepCosts = [Ms(50), Ms(90), Ms(130), Ms(170)],
        FloorTokensPerSecond = 6,
    };

    [Fact]
    public void Estimate_NothingLive_TheMeasurement()
    {
        var model = new StepCostModel(4, Measured);

        Assert.Equal(Ms(90), model.Estimate(2));
        Assert.Null(model.Estimate(5));
    }

    [Fact]
    public void Estimate_LiveStepOfThatCount_TheLiveFigure()
    {
        var model = new StepCostModel(4, Measured);

        model.Record(2, Ms(120));

        Assert.Equal(Ms(120), model.Estimate(2));
    }

    [Fact]
    public void Estimate_LiveStepsSmoothed_NewestWeighsAFifth()
    {
        var model = new StepCostModel(2, null);

        model.Record(1, Ms(100));
        model.Record(1, Ms(200));

        Assert.Equal(120, model.Estimate(1)!.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Estimate_CountNotSeenLive_MeasurementScaledByTheNearestLiveCount()
    {
        var model = new StepCostModel(4, Measured);

        model.Record(1, Ms(100)); // the box is twice as slow as when it measured

        Assert.Equal(260, model.Estimate(3)!.Value.TotalMilliseconds, precision: 6);
    }

    [Theory]
    [InlineData(6, 3)] // 130 ms: 7.7 tokens/s each; 170 ms: 5.9
    [InlineData(5, 4)]
    [InlineData(12, 1)]
    [InlineData(1000, 1)] // never below one stream
    public void StreamsAbove_MostStreamsKeepingTheFloor(double floor, int streams)
    {
        Assert.Equal(streams, new StepCostModel(4, Measured).StreamsAbove(floor));
    }

    [Fact]
    public void StreamsAbove_NothingKnown_EverySlot()
    {
        Assert.Equal(3, new StepCostModel(3, null).StreamsAbove(1000));
    }

    [Fact]
    public void StreamsAbove_OnlyFewerStreamsSeenLive_JudgedByTheirDearestStep()
    {
        var model = new StepCostModel(3, null);

        model.Record(1, Ms(200));

        Assert.Equal(1, model.StreamsAbove(6));
        Assert.Equal(3, model.StreamsAbove(4));
    }

    [Fact]
    public void StreamsAbove_OneSlowStepOfTwoStreamsThenOnlyOneRuns_TheLimitComesBackOnceThatFigureIsStale()
    {
        var model = new StepCostModel(4, Measured);
        model.Record(2, Ms(1000)); // one hiccup while two streamed: booked at twice the 90 ms estimate

        Assert.Equal(1, model.StreamsAbove(6));

        // Only one stream may run now, so nothing refreshes the figure for two; it is forgotten after a while.
        for (var step = 0; step < StepCostModel.StaleAfterSteps - 1; step++)
        {
            model.Record(1, Ms(50));
        }

        Assert.Equal(1, model.StreamsAbove(6));
        model.Record(1, Ms(50));
        Assert.Equal(3, model.StreamsAbove(6));
        Assert.Equal(Ms(90), model.Estimate(2));
    }

    [Fact]
    public void Record_OneOutlierStep_MovesTheFigureAtMostTwofold()
    {
        var model = new StepCostModel(4, Measured);
        model.Record(1, Ms(50));

        model.Record(1, Ms(5000));

        Assert.Equal((50 * 0.8) + (100 * 0.2), model.Estimate(1)!.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Record_SlowerBoxForGood_TheFigureFollowsWithinAFewSteps()
    {
        var model = new StepCostModel(4, Measured);

        for (var step = 0; step < 30; step++)
        {
            model.Record(1, Ms(400));
        }

        Assert.InRange(model.Estimate(1)!.Value.TotalMilliseconds, 395, 400);
        Assert.Equal(1, model.StreamsAbove(6));
    }

    [Fact]
    public void PromptToken_NoPromptStepYet_Null()
    {
        var model = new StepCostModel(4, Measured);

        model.Record(2, Ms(90));

        Assert.Null(model.PromptToken);
    }

    [Fact]
    public void RecordPrefill_BesideDecodingStreams_WhatThePromptTokensAddedPerToken()
    {
        var model = new StepCostModel(4, Measured);

        model.RecordPrefill(2, 32, Ms(90 + 320)); // the 2-stream step is estimated at 90 ms

        Assert.Equal(10, model.PromptToken!.Value.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void RecordPrefill_PromptOnlySteps_WholeStepPerTokenSmoothed()
    {
        var model = new StepCostModel(4, Measured);

        model.RecordPrefill(0, 100, Ms(1000));
        model.RecordPrefill(0, 100, Ms(1500));

        Assert.Equal((10 * 0.8) + (15 * 0.2), model.PromptToken!.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void RecordPrefill_OneOutlierStep_MovesTheFigureAtMostTwofold()
    {
        var model = new StepCostModel(4, Measured);
        model.RecordPrefill(0, 10, Ms(100));

        model.RecordPrefill(0, 10, Ms(10_000));

        Assert.Equal((10 * 0.8) + (20 * 0.2), model.PromptToken!.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void RecordPrefill_StepCheaperThanItsDecodeEstimate_NothingBelowZero()
    {
        var model = new StepCostModel(4, Measured);

        model.RecordPrefill(4, 8, Ms(100)); // 4 streams were estimated at 170 ms

        Assert.Equal(TimeSpan.Zero, model.PromptToken);
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
