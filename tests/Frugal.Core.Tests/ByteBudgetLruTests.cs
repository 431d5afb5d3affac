namespace Frugal.Tests;

public sealed class ByteBudgetLruTests
{
    [Fact]
    public void Put_OverBudget_EvictsTheLeastRecentlyUsedFirst()
    {
        var lru = new ByteBudgetLru<string, int>(300);
        lru.Put("a", 1, 100);
        lru.Put("b", 2, 100);
        lru.Put("c", 3, 100);
        Assert.True(lru.TryGet("a", out _)); // now the most recently used: "b" is the oldest

        lru.Put("d", 4, 150);

        Assert.False(lru.TryGet("b", out _));
        Assert.False(lru.TryGet("c", out _));
        Assert.True(lru.TryGet("a", out var a));
        Assert.Equal(1, a);
        Assert.Equal((2, 250L), (lru.Count, lru.Bytes));
    }

    [Fact]
    public void Put_SameKey_ReplacesTheValueAndItsSize()
    {
        var lru = new ByteBudgetLru<string, string>(1000);
        lru.Put("k", "old", 400);

        lru.Put("k", "new", 100);

        Assert.True(lru.TryGet("k", out var value));
        Assert.Equal("new", value);
        Assert.Equal((1, 100L), (lru.Count, lru.Bytes));
    }

    [Fact]
    public void Put_LargerThanTheBudget_KeepsNothingUnderThatKey()
    {
        var lru = new ByteBudgetLru<string, int>(100);
        lru.Put("k", 1, 50);

        lru.Put("k", 2, 101);

        Assert.False(lru.TryGet("k", out _));
        Assert.Equal(0, lru.Bytes);
    }

    [Fact]
    public void Clear_WithEntries_ReturnsTheBytesTheyHeld()
    {
        var lru = new ByteBudgetLru<string, int>(1000);
        lru.Put("a", 1, 30);
        lru.Put("b", 2, 40);

        Assert.Equal(70, lru.Clear());
        Assert.Equal((0, 0L), (lru.Count, lru.Bytes));
    }
}
