using System.Text;
using Frugal.Inference;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// Continuous batching on the real engine: at temperature 0 a request's reply is the same token for
/// token whether it ran alone on a single-sequence engine or shared decode steps with others.
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class BatchedGenerationTests
{
    private static readonly string[] Questions =
    [
        "Name a colour.",
        "What is the capital of France? Answer in one word.",
        "Count to five, please.",
        "Tell me something about boats and the sea.",
    ];

    /// <summary>The models, each with the default prompt chunk and with chunks of 8 tokens (every prompt spread over several steps).</summary>
    public static TheoryData<string, int> Models
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var model in SharedModels.Present ? ["tiny", TestModels.TinyRandomName, SharedModels.TinyRandomLlama2Name] : new[] { "tiny",
                TestModels.TinyRandomName })
            {
                data.Add(model, 0);
                data.Add(model, 8);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GenerateAsync_BatchedWithJoiningAndCancelledOthers_SameRepliesAsAlone(string model, int prefillChunk)
    {
        var requests = new[]
        {
            GenerationRuns.Greedy(Questions[0], maxTokens: 64),
            GenerationRuns.Greedy(Questions[1], maxTokens: 40),
            GenerationRuns.Greedy(Questions[2], maxTokens: 1000),
            GenerationRuns.Greedy(Questions[3], maxTokens: 48),
        };
        var expected = new List<string>();
        await using (var alone = await LoadAsync(model, parallel: 1))
        {
            foreach (var request in requests)
            {
                await alone.ClearContextAsync();
                expected.Add((await GenerationRuns.RunAsync(alone, request, TestContext.Current.CancellationToken)).Text);
            }
        }

        await using var batched = await LoadAsync(model, parallel: 4, prefillChunk);
        var firstText = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var a = RunAsync(batched, requests[0], updates => firstText.TrySetResult(), TestContext.Current.CancellationToken);
        var b = RunAsync(batched, requests[1], _ => { }, TestContext.Current.CancellationToken);
        var cancelled = RunAsync(batched, requests[2], updates =>
        {
            if (updates == 2)
            {
                cancel.Cancel(); // mid-way through a long reply, while the others decode
            }
        }, cancel.Token);
        await firstText.Task;
        var joining = RunAsync(batched, requests[3], _ => { }, TestContext.Current.CancellationToken); // joins while the others are decoding

        var results = await Task.WhenAll(a, b, joining);
        var stopped = await cancelled;

        Assert.Equal(expected[0], results[0].Text);
        Assert.Equal(expected[1], results[1].Text);
        Assert.Equal(expected[3], results[2].Text);
        Assert.All(results, r => Assert.NotEqual(FinishReason.Cancelled, r.Stats.FinishReason));
        Assert.Equal(FinishReason.Cancelled, stopped.Stats.FinishReason);
        Assert.InRange(stopped.Stats.CompletionTokens, 2, 999);
        Assert.StartsWith(stopped.Text, expected[2], StringComparison.Ordinal);
        Assert.True(batched.PeakStepSequences >= 3, $"at most {batched.PeakStepSequences} sequences shared a step");
    }

    private static async Task<LlamaEngine> LoadAsync(string model, int parallel, int prefillChunk = 0) =>
        await LlamaEngine.LoadAsync(TestModels.EngineOptionsFor(model, contextSize: 1024) with { ParallelSequences = parallel, PrefillChunkTokens = prefillChunk });

    /// <summary>Runs a request on a worker thread, calling <paramref name="onText"/> with the count of text updates so far.</summary>
    private static Task<(string Text, GenerationStats Stats)> RunAsync(IInferenceEngine engine, GenerationRequest request, Action<int> onText,
        CancellationToken cancellationToken = default) => Task.Run(async () =>
        {
            var text = new StringBuilder();
            GenerationStats? stats = null;
            var updates = 0;
            await foreach (var update in engine.GenerateAsync(request, cancellationToken))
            {
                Assert.Null(stats);
                if (update.Text.Length > 0)
                {
                    text.Append(update.Text);
                    onText(++updates);
                }

                stats = update.Completed;
            }

            Assert.NotNull(stats);
            return (text.ToString(), stats);
        });
}
