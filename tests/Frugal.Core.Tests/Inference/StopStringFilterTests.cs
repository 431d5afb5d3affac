using Frugal.Inference;

namespace Frugal.Tests.Inference;

public sealed class StopStringFilterTests
{
    [Fact]
    public void Push_StopStringAcrossPieces_CutsBeforeItAndEmitsNoPart()
    {
        var filter = new StopStringFilter(["<|user|>"]);
        var emitted = filter.Push("Hello <") + filter.Push("|us") + filter.Push("er|> more");

        Assert.Equal("Hello ", emitted);
        Assert.True(filter.Stopped);
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void Push_PossiblePrefix_IsHeldBackUntilDisproved()
    {
        var filter = new StopStringFilter(["END"]);

        Assert.Equal("abc ", filter.Push("abc EN"));
        Assert.Equal("ENd", filter.Push("d"));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Flush_HeldPrefixAtEnd_IsEmitted()
    {
        var filter = new StopStringFilter(["STOP"]);

        Assert.Equal("x", filter.Push("xST"));
        Assert.Equal("ST", filter.Flush());
    }

    [Fact]
    public void Push_EarliestOfSeveralStops_Wins()
    {
        var filter = new StopStringFilter(["bb", "a"]);

        Assert.Equal("x", filter.Push("xabb"));
    }

    [Fact]
    public void Push_AfterStop_EmitsNothing()
    {
        var filter = new StopStringFilter(["."]);
        filter.Push("one.");

        Assert.Equal("", filter.Push("two"));
    }
}
