using Frugal.Inference;

namespace Frugal.Tests.Inference;

public sealed class ReplyTokenMemoryTests
{
    [Fact]
    public void Find_RememberedText_ReturnsItsIdsAndNothingForOtherText()
    {
        var memory = new ReplyTokenMemory(4096);
        memory.Remember("alice", "Hello there", [15043, 727]);

        Assert.Equal(new[] { 15043, 727 }, memory.Find("alice", "Hello there"));
        Assert.Null(memory.Find("alice", "Hello there "));
        Assert.Null(memory.Find("alice", "hello there"));
    }

    [Fact]
    public void Find_AnotherOwnersReply_ReturnsNothing()
    {
        var memory = new ReplyTokenMemory(4096);
        memory.Remember("alice", "Hello there", [15043, 727]);

        Assert.Null(memory.Find("bob", "Hello there"));
        Assert.Null(memory.Find(null, "Hello there"));
        Assert.Equal(new[] { 15043, 727 }, memory.Find("alice", "Hello there"));
    }

    [Fact]
    public void Remember_OverBudget_DropsTheLeastRecentlyUsedAndStaysWithinIt()
    {
        var memory = new ReplyTokenMemory(600);
        memory.Remember("alice", "first reply", [.. Enumerable.Range(1, 20)]);
        memory.Remember("alice", "second reply", [.. Enumerable.Range(1, 20)]);
        Assert.NotNull(memory.Find("alice", "first reply")); // now the most recently used
        memory.Remember("alice", "third reply", [.. Enumerable.Range(1, 20)]);
        memory.Remember("alice", "fourth reply", [.. Enumerable.Range(1, 20)]);

        Assert.True(memory.Bytes <= 600, $"{memory.Bytes} bytes");
        Assert.Null(memory.Find("alice", "second reply"));
        Assert.NotNull(memory.Find("alice", "fourth reply"));
    }

    [Fact]
    public void Remember_EntryLargerThanTheBudgetOrEmpty_IsNotKept()
    {
        var memory = new ReplyTokenMemory(256);
        memory.Remember("alice", new string('x', 200), [1, 2, 3]);
        memory.Remember("alice", "", [1]);
        memory.Remember("alice", "text", []);

        Assert.Equal(0, memory.Bytes);
    }
}
