using Frugal.Caching;
using Frugal.Inference;

namespace Frugal.Tests.Caching;

public sealed class ResponseCacheTests
{
    [Fact]
    public void Put_ManyReplies_NeverHoldsMoreThanBudget()
    {
        var cache = new ResponseCache(new ResponseCacheOptions { MaxBytes = new ByteSize(4000) });

        for (var i = 0; i < 100; i++)
        {
            cache.Put($"key{i}", Reply(new string('x', 10 + (i * 13 % 400))));
            Assert.InRange(cache.MemoryBytes, 0, 4000);
        }

        Assert.NotNull(cache.TryGet("key99"));
        Assert.Null(cache.TryGet("key0"));
    }

    [Fact]
    public void Put_OverBudget_EvictsLeastRecentlyUsed()
    {
        var one = Reply("a reply");
        var cache = new ResponseCache(new ResponseCacheOptions { MaxBytes = new ByteSize(2 * (one.Bytes + 8)) });
        cache.Put("k1", one);
        cache.Put("k2", one);
        Assert.NotNull(cache.TryGet("k1"));

        cache.Put("k3", one);

        Assert.NotNull(cache.TryGet("k1"));
        Assert.Null(cache.TryGet("k2"));
        Assert.NotNull(cache.TryGet("k3"));
    }

    [Fact]
    public void Put_LargerThanBudget_IsNotKept()
    {
        var cache = new ResponseCache(new ResponseCacheOptions { MaxBytes = new ByteSize(100) });

        cache.Put("k", Reply(new string('x', 1000)));

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.MemoryBytes);
    }

    [Fact]
    public void ReleaseMemory_WithReplies_EmptiesCache()
    {
        var cache = new ResponseCache(new ResponseCacheOptions());
        cache.Put("k", Reply("hello"));

        cache.ReleaseMemory();

        Assert.Null(cache.TryGet("k"));
        Assert.Equal(0, cache.MemoryBytes);
    }

    [Fact]
    public void Release_MediumPressure_EmptiesCacheAndReportsBytes()
    {
        var cache = new ResponseCache(new ResponseCacheOptions());
        cache.Put("k", Reply("hello"));
        var held = cache.MemoryBytes;

        Assert.Equal(0, cache.Release(Frugal.Memory.MemoryPressureLevel.Low));
        Assert.Equal(held, cache.Release(Frugal.Memory.MemoryPressureLevel.Medium));
        Assert.Equal(0, cache.Count);
    }

    private static CachedResponse Reply(string text) => new(
        [text],
        new GenerationStats
        {
            PromptTokens = 10,
            CompletionTokens = 3,
            FinishReason = FinishReason.Stop,
            TimeToFirstToken = TimeSpan.FromMilliseconds(5),
            PromptTokensPerSecond = 1,
            DecodeTokensPerSecond = 1,
        });
}
