using Frugal.Caching;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Caching;

public sealed class ResponseCacheKeyTests
{
    private static readonly GenerationRequest Base = new()
    {
        Messages = [new ChatTurn(ChatRole.User, "ab"), new ChatTurn(ChatRole.Assistant, "c")],
        Sampling = new SamplingOptions { Temperature = 0 },
    };

    [Fact]
    public void Compute_SameRequestOfAnotherOwner_DifferentKey() =>
        Assert.NotEqual(Key(Base with { Owner = "alice" }), Key(Base with { Owner = "bob" }));

    [Fact]
    public void Compute_EqualRequests_SameKey() =>
        Assert.Equal(Key(Base), Key(Base with { Messages = [.. Base.Messages] }));

    [Fact]
    public void Compute_TextMovedAcrossMessageBoundary_DifferentKey() =>
        Assert.NotEqual(Key(Base), Key(Base with { Messages = [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "bc")] }));

    [Fact]
    public void Compute_RoleChanged_DifferentKey() =>
        Assert.NotEqual(Key(Base), Key(Base with { Messages = [new ChatTurn(ChatRole.System, "ab"), new ChatTurn(ChatRole.Assistant, "c")] }));

    [Fact]
    public void Compute_EarlierTurnAdded_DifferentKey() =>
        Assert.NotEqual(Key(Base), Key(Base with { Messages = [new ChatTurn(ChatRole.System, ""), .. Base.Messages] }));

    [Fact]
    public void Compute_LimitsOrSamplingChanged_DifferentKey()
    {
        Assert.NotEqual(Key(Base), Key(Base with { MaxTokens = 7 }));
        Assert.NotEqual(Key(Base), Key(Base with { Stop = ["x"] }));
        Assert.NotEqual(Key(Base), Key(Base with { StopAtEndOfSequence = false }));
        Assert.NotEqual(Key(Base), Key(Base with { Sampling = Base.Sampling with { RepeatPenalty = 1.3f } }));
        Assert.NotEqual(Key(Base), ResponseCacheKey.Compute("other-model", ChatTemplateFamily.Zephyr, Base));
        Assert.NotEqual(Key(Base), ResponseCacheKey.Compute("model", ChatTemplateFamily.ChatML, Base));
    }

    [Fact]
    public void IsCacheable_RandomSamplingWithoutSeed_False()
    {
        Assert.True(ResponseCacheKey.IsCacheable(Base));
        Assert.True(ResponseCacheKey.IsCacheable(Base with { Sampling = new SamplingOptions { Temperature = 0.8f, Seed = 42 } }));
        Assert.False(ResponseCacheKey.IsCacheable(Base with { Sampling = new SamplingOptions { Temperature = 0.8f } }));
    }

    private static string Key(GenerationRequest request) => ResponseCacheKey.Compute("model", ChatTemplateFamily.Zephyr, request);
}
