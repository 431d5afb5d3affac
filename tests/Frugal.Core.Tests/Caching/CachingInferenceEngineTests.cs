using System.Text;
using Frugal.Caching;
using Frugal.Inference;

namespace Frugal.Tests.Caching;

public sealed class CachingInferenceEngineTests(TinyEngineFixture fixture) : IClassFixture<TinyEngineFixture>
{
    private static readonly SamplingOptions Greedy = new() { Temperature = 0f };

    [Fact]
    public async Task GenerateAsync_SameDeterministicRequestTwice_SecondIsCachedAndIdentical()
    {
        var engine = Wrap(out var cache);
        var request = Request(Greedy, new ChatTurn(ChatRole.User, "Tell me about rivers."));

        var (firstText, first) = await Generate(engine, request);
        var (secondText, second) = await Generate(engine, request);

        Assert.True(first.CompletionTokens > 0);
        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.Equal(firstText, secondText);
        Assert.Equal(first.CompletionTokens, second.CompletionTokens);
        Assert.Equal(first.FinishReason, second.FinishReason);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task GenerateAsync_SameLastMessageDifferentHistory_NeverHits()
    {
        var engine = Wrap(out _);
        var question = new ChatTurn(ChatRole.User, "And then?");
        await Generate(engine, Request(Greedy, new ChatTurn(ChatRole.User, "Hello."), new ChatTurn(ChatRole.Assistant, "Hi."), question));

        var (_, other) = await Generate(engine, Request(Greedy, new ChatTurn(ChatRole.User, "Goodbye."), new ChatTurn(ChatRole.Assistant, "Hi."), question));
        var (_, shorter) = await Generate(engine, Request(Greedy, question));

        Assert.False(other.Cached);
        Assert.False(shorter.Cached);
    }

    [Fact]
    public async Task GenerateAsync_RandomSamplingWithoutSeed_NeverCached()
    {
        var engine = Wrap(out var cache);
        var request = Request(new SamplingOptions { Temperature = 0.9f }, new ChatTurn(ChatRole.User, "Pick a word."));

        await Generate(engine, request);
        var (_, second) = await Generate(engine, request);

        Assert.False(second.Cached);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task GenerateAsync_SameSeedAndSettings_Cached()
    {
        var engine = Wrap(out _);
        var request = Request(new SamplingOptions { Temperature = 0.9f, Seed = 7 }, new ChatTurn(ChatRole.User, "Pick a word."));

        var (firstText, _) = await Generate(engine, request);
        var (secondText, second) = await Generate(engine, request);

        Assert.True(second.Cached);
        Assert.Equal(firstText, secondText);
    }

    [Fact]
    public async Task GenerateAsync_ManyDistinctRequests_CacheStaysWithinBudget()
    {
        const long budget = 2048;
        var cache = new ResponseCache(new ResponseCacheOptions { MaxBytes = new ByteSize(budget) });
        var engine = new CachingInferenceEngine(fixture.Engine, cache);

        for (var i = 0; i < 8; i++)
        {
            await Generate(engine, Request(Greedy, new ChatTurn(ChatRole.User, $"Question number {i}.")));
            Assert.InRange(cache.MemoryBytes, 0, budget);
        }

        Assert.InRange(cache.Count, 1, 7);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_NotCached()
    {
        var engine = Wrap(out var cache);
        using var cancel = new CancellationTokenSource();
        var request = Request(Greedy, new ChatTurn(ChatRole.User, "A long story, please."));

        await foreach (var update in engine.GenerateAsync(request, cancel.Token))
        {
            if (update.Text.Length > 0)
            {
                await cancel.CancelAsync();
            }
        }

        Assert.Equal(0, cache.Count);
    }

    // The fixture's engine is shared and owned by the fixture: the wrapper is never disposed here.
    private CachingInferenceEngine Wrap(out ResponseCache cache)
    {
        cache = new ResponseCache(new ResponseCacheOptions());
        return new CachingInferenceEngine(fixture.Engine, cache);
    }

    private static GenerationRequest Request(SamplingOptions sampling, params ChatTurn[] messages) => new()
    {
        Messages = messages,
        MaxTokens = 12,
        Sampling = sampling,
        StopAtEndOfSequence = false,
    };

    private static async Task<(string Text, GenerationStats Stats)> Generate(IInferenceEngine engine, GenerationRequest request)
    {
        var text = new StringBuilder();
        GenerationStats? stats = null;
        await foreach (var update in engine.GenerateAsync(request))
        {
            text.Append(update.Text);
            stats = update.Completed ?? stats;
        }

        return (text.ToString(), stats!);
    }
}
