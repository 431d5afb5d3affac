using Frugal.Inference;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// Decode steps grouped by what they cost, on the real engine with steps booked at known costs: where a batch of two
/// streams costs more than two batches of one, every step of two runs as two decodes, one after the other, and each
/// reply is still the same token for token as alone; where two cost less together, they share one batch.
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class StepGroupingTests
{
    private static readonly string[] Questions = ["Tell me a long story.", "Count to five, please."];

    [Fact]
    public async Task GenerateAsync_TwoStreamsCostMoreThanTwoSteps_StepsRunOneAfterTheOtherSameRepliesAsAlone()
    {
        var expected = await AloneAsync();
        // One stream: 1 ms a step; two in one batch: 6 ms (3x one stream each).
        await using var engine = await BookedSteps.LoadWarmedAsync(Options(), new BookedSteps(n => TimeSpan.FromMilliseconds(n == 1 ? 1 : 3 * n)));

        var replies = await Task.WhenAll(Questions.Select(q => GenerationRuns.RunAsync(engine, Request(q), TestContext.Current.CancellationToken)));

        Assert.Equal(expected, replies.Select(r => r.Text));
        Assert.InRange(engine.SplitSteps, 30, int.MaxValue); // most of the 60 steps the two replies shared
    }

    [Fact]
    public async Task GenerateAsync_TwoStreamsCostLessTogether_OneBatchSameRepliesAsAlone()
    {
        var expected = await AloneAsync();
        // One stream: 1 ms a step; two in one batch: 1.2 ms.
        await using var engine = await BookedSteps.LoadWarmedAsync(Options(), new BookedSteps(n => TimeSpan.FromMilliseconds(0.8 + (0.2 * n))));

        var replies = await Task.WhenAll(Questions.Select(q => GenerationRuns.RunAsync(engine, Request(q), TestContext.Current.CancellationToken)));

        Assert.Equal(expected, replies.Select(r => r.Text));
        Assert.Equal(0, engine.SplitSteps);
        Assert.Equal(2, engine.PeakStepSequences);
    }

    private static async Task<string[]> AloneAsync()
    {
        await using var alone = await LlamaEngine.LoadAsync(Options() with { ParallelSequences = 1 }, ct: TestContext.Current.CancellationToken);
        var texts = new List<string>();
        foreach (var question in Questions)
        {
            await alone.ClearContextAsync();
            texts.Add((await GenerationRuns.RunAsync(alone, Request(question), TestContext.Current.CancellationToken)).Text);
        }

        return [.. texts];
    }

    private static GenerationRequest Request(string question) => GenerationRuns.Greedy(question, maxTokens: 60);

    private static EngineOptions Options() => new()
    {
        ModelPath = TestModels.TinyUnending,
        ContextSize = 1024,
        ParallelSequences = 2,
    };
}
