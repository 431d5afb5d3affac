using Frugal.Inference;

namespace Frugal.Tests.Inference.Batching;

/// <summary>Choosing the sequence count at load from a measured batched decode step.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class ParallelMeasurementTests(TinyEngineFixture fixture)
{
    [Theory]
    [InlineData(100, 350, 4, 1.14, 1)]
    [InlineData(100, 200, 4, 2.0, 4)]
    [InlineData(100, 153, 2, 1.31, 2)]
    public void Chosen_FollowsTheAggregateGain(int singleMs, int batchMs, int candidate, double gain, int chosen)
    {
        var measurement = new ParallelMeasurement
        {
            Candidate = candidate,
            SingleStep = TimeSpan.FromMilliseconds(singleMs),
            BatchStep = TimeSpan.FromMilliseconds(batchMs),
        };

        Assert.Equal(gain, measurement.Gain, precision: 2);
        Assert.Equal(chosen, measurement.Chosen);
        Assert.StartsWith($"parallel sequences {chosen}:", measurement.Describe(), StringComparison.Ordinal);
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
        });

        var measurement = Assert.IsType<ParallelMeasurement>(engine.ParallelMeasurement);
        Assert.Equal(3, measurement.Candidate);
        Assert.True(measurement.SingleStep > TimeSpan.Zero && measurement.BatchStep > TimeSpan.Zero);
        Assert.Equal(measurement.Chosen, engine.ParallelSequences);
        Assert.Equal(256, engine.ContextSize);
        var (_, stats, _) = await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Hello.", maxTokens: 4));
        Assert.Equal(4, stats.CompletionTokens);
    }

    [Fact]
    public async Task LoadAsync_ParallelSequencesGiven_MeasuresNothing()
    {
        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = fixture.TinyModelPath, ContextSize = 256, ParallelSequences = 2 });

        Assert.Null(engine.ParallelMeasurement);
        Assert.Equal(2, engine.ParallelSequences);
        Assert.Equal(256, engine.ContextSize);
    }
}
