using Frugal.Inference;

namespace Frugal.Tests.Inference.Batching;

/// <summary>Choosing the sequence count at load from a measured batched decode step.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class ParallelMeasurementTests(TinyEngineFixture fixture)
{
    [Theory]
    [InlineData(new[] { 100.0, 150, 200, 350 }, 6, 2)]
    [InlineData(new[] { 50.0, 90, 130, 165 }, 6, 4)]
    [InlineData(new[] { 50.0, 90, 130, 165 }, 12, 1)]
    [InlineData(new[] { 200.0, 250 }, 6, 1)]
    [InlineData(new[] { 200.0, 250 }, 4, 2)]
    public void Chosen_MostStreamsWhoseStepKeepsTheFloor(double[] stepMs, double floor, int chosen)
    {
        var measurement = Measured(stepMs, floor);

        Assert.Equal(chosen, measurement.Chosen);
        Assert.StartsWith($"streams {chosen}:", measurement.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 50.0, 90, 130, 170 }, 64)] // a batch row costs 40 ms: the smallest chunk
    [InlineData(new[] { 50.0, 51.4, 52.8, 54.2 }, 80)] // 1.4 ms a row, 117 ms of room: 83, rounded down to 16
    [InlineData(new[] { 1.0, 1.1, 1.2, 1.3 }, 128)] // a tiny model: the largest chunk
    [InlineData(new[] { 50.0 }, 64)] // one sequence measured: no slope known
    public void ChunkTokens_FromTheStepSlopeWithinBounds(double[] stepMs, int chunk)
    {
        var measurement = Measured(stepMs, 6);

        Assert.Equal(chunk, measurement.ChunkTokens);
        Assert.EndsWith($"prompt chunk {chunk} tokens beside running replies", measurement.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gain_AggregateOfTheLargestStepOverOne()
    {
        Assert.Equal(2.0, Measured([100, 150, 180, 200], 6).Gain, precision: 2);
    }

    [Fact]
    public async Task LoadAsync_ParallelSequencesZero_MeasuresAndTakesWhatTheMeasurementChose()
    {
        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = fixture.TinyModelPath,
            ContextSize = 256,
            ParallelSequences = 0,
            MaxAutoParallelSequences = 3,
        }, ct: TestContext.Current.CancellationToken);

        var measurement = Assert.IsType<ParallelMeasurement>(engine.ParallelMeasurement);
        Assert.Equal(3, measurement.Candidate);
        Assert.All(measurement.StepCosts, cost => Assert.True(cost > TimeSpan.Zero));
        Assert.Equal(measurement.Chosen, engine.ParallelSequences);
        Assert.Equal(measurement.ChunkTokens, engine.PrefillChunkTokens);
        Assert.Equal(256, engine.ContextSize);
        var (_, stats, _) = await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Hello.", maxTokens: 4), TestContext.Current.CancellationToken);
        Assert.Equal(4, stats.CompletionTokens);
    }

    [Fact]
    public async Task LoadAsync_ParallelSequencesGiven_MeasuresNothing()
    {
        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = fixture.TinyModelPath, ContextSize = 256, ParallelSequences = 2 },
            ct: TestContext.Current.CancellationToken);

        Assert.Null(engine.ParallelMeasurement);
        Assert.Equal(2, engine.ParallelSequences);
        Assert.Equal(256, engine.ContextSize);
    }

    private static ParallelMeasurement Measured(double[] stepMs, double floor) => new()
    {
        StepCosts = [.. stepMs.Select(TimeSpan.FromMilliseconds)],
        FloorTokensPerSecond = floor,
    };
}
