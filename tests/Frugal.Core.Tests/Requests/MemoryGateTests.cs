using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;

namespace Frugal.Tests.Requests;

public sealed class MemoryGateTests
{
    private static readonly GenerationRequest Request = new() { MaxTokens = 512, Messages = [new ChatTurn(ChatRole.User, "now")] };

    [Fact]
    public void Apply_High_CapsReplyAndNoticeSaysCapAndTrim()
    {
        var (capped, notice) = MemoryGate.Apply(Request, Restrictions(MemoryPressureLevel.High), MemoryPressureLevel.High, droppedMessages: 2);

        Assert.Equal(128, capped.MaxTokens);
        Assert.True(notice.Restricted);
        Assert.Equal("high", notice.LevelName);
        Assert.Equal(["max_tokens", "history"], notice.Kinds());
        Assert.Equal(
            [
                "max_tokens capped at 128 by memory pressure high (asked 512)",
                "history trimmed to the last 2 exchanges by memory pressure high (2 earlier messages left out)",
            ],
            notice.Describe());
    }

    [Fact]
    public void Apply_None_LeavesTheRequestAlone()
    {
        var (request, notice) = MemoryGate.Apply(Request, MemoryRestrictions.None, MemoryPressureLevel.Low, droppedMessages: 0);

        Assert.Same(Request, request);
        Assert.False(notice.Restricted);
    }

    [Fact]
    public void Apply_HighButShortRequest_NoticeNotRestricted()
    {
        var request = Request with { MaxTokens = 64 };

        var (same, notice) = MemoryGate.Apply(request, Restrictions(MemoryPressureLevel.High), MemoryPressureLevel.High, droppedMessages: 0);

        Assert.Same(request, same);
        Assert.False(notice.Restricted);
        Assert.Empty(notice.Describe());
        Assert.Equal(MemoryPressureLevel.High, notice.Level);
    }

    private static MemoryRestrictions Restrictions(MemoryPressureLevel level) => MemoryRestrictions.For(level, new MemoryGovernorOptions());
}
