using Frugal.Inference;

namespace Frugal.Tests.Inference;

public sealed class ReplyTokenMemoryTests
{
    [Fact]
    public void Find_RememberedText_ReturnsItsIdsAndNothingForOtherText()
    {
        var memory = new ReplyTokenMemory(4096);
        memory.Remember("Hello there", [15043, 727]);

        Assert.Equal(new[] { 15043, 727 }, memory.Find("Hello there"));
        Assert.Null(memory.Find("Hello there "));
        Assert.Null(memory.Find("hello there"));
    }

    [Fact]
    public void Remember_OverBudget_DropsTheLeastRecentlyUsedAndStaysWithinIt()
    {
        var memory = new ReplyTokenMemory(600);
        memory.Remember("first reply", [.. Enumerable.Range(1, 20)]);
        memory.Remember("second reply", [.. Enumerable.Range(1, 20)]);
        Assert.NotNull(memory.Find("first reply")); // now the most recently used
        memory.Remember("third reply", [.. Enumerable.Range(1, 20)]);
        memory.Remember("fourth reply", [.. Enumerable.Range(1, 20)]);

        Assert.True(memory.Bytes <= 600, $"{memory.Bytes} bytes");
        Assert.Null(memory.Find("second reply"));
        Assert.NotNull(memory.Find("fourth reply"));
    }

    [Fact]
    public void Remember_EntryLargerThanTheBudgetOrEmpty_IsNotKept()
    {
        var memory = new ReplyTokenMemory(256);
        memory.Remember(new string('x', 200), [1, 2, 3]);
        memory.Remember("", [1]);
        memory.Remember("text", []);

        Assert.Equal(0, memory.Bytes);
    }
}
